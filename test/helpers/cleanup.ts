import type { TestContext } from 'node:test';
import type { SupervisedChild } from '../../src/process/index.ts';

/** Registers the child's destruction when the test ends, pass or fail; returns the child. */
export function owned(t: TestContext, child: SupervisedChild): SupervisedChild {
  t.after(() => child.destroy('cancelled'));
  return child;
}
