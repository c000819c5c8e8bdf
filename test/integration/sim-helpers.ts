// Simulators started by a test file, each closed after its test: `const sim = useSimulators();`
// at the top of the file, then `await sim(options)` in a test.
import { afterEach } from "vitest";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/index.js";

export function useSimulators(): (options?: SimulatorOptions) => Promise<Simulator> {
  const sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  return async (options = {}) => {
    const started = await startSimulator(options);
    sims.push(started);
    return started;
  };
}
