/**
 * The deterministic kernel (docs/architecture.md "src/sim"): the simulator (virtual clock + event queue),
 * seeded named random streams, and the trace with its digest.
 */
export { ActiveWindows } from './active-windows.js';
export { type EventCallback, pendingEventsMax, type TimerId } from './event-queue.js';
export { hexDigitsMax, RandomStream, RandomStreams } from './random.js';
export { eventsPerRunMaxDefault, type RunReason, type RunResult, Simulator, type SimulatorOptions } from './simulator.js';
export { type Clock, Trace, type TraceEvent, type TraceFields, type TraceValue } from './trace.js';
