import type { Plugin } from 'graphql-yoga';

/**
 * Ends a subscription that yoga started but will not stream: one sent over HTTP with an `Accept`
 * that excludes `text/event-stream` is executed before yoga finds no way to answer it (406), and
 * nothing would ever call its `return()`, leaving its group and poll loop running. Must come after
 * yoga's own result processors, which it relies on to have chosen (or not) a processor.
 */
export function useRefusedStreamCleanup(): Plugin {
  return {
    onResultProcess({ result, resultProcessor }) {
      if (resultProcessor || typeof result !== 'object' || result === null || !(Symbol.asyncIterator in result)) return;
      const iterator = result as AsyncIterableIterator<unknown>;
      void iterator.return?.();
    },
  };
}
