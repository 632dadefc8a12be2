export { createSimulator, type Simulator, type SimulatorOptions, type SimulatorRequest } from './simulator.js';
export type { SimulatorFault } from './faults.js';
export { checkCreateRequest, SIMULATED_CREATE_FAILURES, SIMULATED_LEGACY_MODEL, SIMULATED_RATIOS, SIMULATED_RESOLUTIONS } from './create.js';
export {
  SIMULATED_FAIL_REASON,
  isFailingTask,
  simulateTaskData,
  simulateTimeline,
  type SimulatedPhase,
  type SimulatedTaskInput,
  type SimulatedTimeline,
  type SimulatorShape,
} from './timeline.js';
