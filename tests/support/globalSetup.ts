// Vitest global setup: one private in-memory Azurite for the whole run, stopped at the end.
import type { TestProject } from 'vitest/node';
import { type AzuriteInstance, startAzurite } from '../../scripts/lib/azurite';

let azurite: AzuriteInstance | undefined;

export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}
