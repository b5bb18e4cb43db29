/**
 * Loads the interactive view. Ink reads CI / CONTINUOUS_INTEGRATION once, when
 * it is first imported, and then draws nothing until the app exits (it assumes
 * a build log, not a person). The view is only loaded once stdin and stdout are
 * known to be a terminal, so someone is watching it: hide those variables from
 * Ink for this process before the import.
 */
export async function loadTui(): Promise<typeof import('./run.js')> {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  return import('./run.js');
}
