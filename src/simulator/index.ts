export { createSimulator, type Simulator, type SimulatorOptions, type SimulatorRequest } from './simulator.js';
export type { SimulatorFault } from './faults.js';
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
