/**
 * Entry point of the process `bench` forks per variant. Protocol over the IPC channel:
 *   parent → child  { type: 'job', job: VariantJob }
 *   child → parent  { type: 'phase', phase } … then { type: 'done', result } or { type: 'error', error }
 * MlserveErrors travel as their plain form and are rebuilt in the parent.
 */
import { isMlserveError } from '../errors.js';
import { benchVariant, type VariantJob } from './bench-variant.js';

type FromParent = { type: 'job'; job: VariantJob };

const send = (message: unknown): Promise<void> => new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));

// Orphaned (the parent was killed): stop rather than keep a core busy for nobody.
process.once('disconnect', () => process.exit(1));

process.once('message', (message: FromParent) => {
  void (async () => {
    try {
      const result = await benchVariant(message.job, (phase) => void send({ type: 'phase', phase }));
      await send({ type: 'done', result });
    } catch (e) {
      await send({ type: 'error', error: isMlserveError(e) ? e.toPlain() : { message: e instanceof Error ? e.message : String(e) } });
    }
    process.exit(0);
  })();
});
