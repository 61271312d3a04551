import { describe, expect, it } from 'vitest';
import { accountOf, checkIdempotentPublish, checkRotation, checkTransientFaults, connect, credentialsOf, expectOk, expectResetNear, useSandbox } from './contract-harness.js';
import { hostedMedia } from './media-fixtures.js';

const context = useSandbox('pinterest');

describe('Pinterest adapter against the sandbox', () => {
  it('connects, lists boards, rotates refresh tokens, publishes a Pin once per key, and classifies faults', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'alicepins' });
    expect(tokens.refreshTokenLifetimeSec).toBeGreaterThan(0);
    const account = accountOf('pinterest', identity);
    const boards = expectOk(await adapter.listBoards!(account, credentialsOf(tokens)));
    expect(boards.length).toBeGreaterThan(0);

    const current = await checkRotation(context, 'pinterest', account, credentialsOf(tokens));

    const image = await hostedMedia(control, 'mandelbrot.jpg');
    const noBoard = await adapter.publish(account, current, { text: 'x', media: [image], idempotencyKey: 'nb' });
    expect(noBoard).toMatchObject({ kind: 'invalid', message: expect.stringContaining('board') });
    await checkIdempotentPublish(context, 'pinterest', account, current, { text: `Pin ${Date.now()}`, media: [image], boardId: boards[0]!.id });

    const { limited, before } = await checkTransientFaults(context, 'pinterest', identity.externalId, () =>
      adapter.listBoards!(account, current),
    );
    expectResetNear(limited, before + 600_000);
    await control.clearFaults('pinterest', identity.externalId);

    expect(expectOk(await adapter.revoke(account, current))).toEqual({ revokedAtPlatform: false });
    await control.revoke('pinterest', identity.externalId);
    expect(await adapter.listBoards!(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'access_token_rejected' });
    expect(await adapter.refresh(account, current)).toMatchObject({ kind: 'reauthRequired', code: 'refresh_token_invalid' });
  });

  it('an app with Trial access cannot create Pins: a classified failure that names Standard access, not a reconnect', async () => {
    const { adapter, control } = context;
    const { tokens, identity } = await connect(context, { identity: 'bobpins' });
    const account = accountOf('pinterest', identity);
    const credentials = credentialsOf(tokens);
    const board = expectOk(await adapter.listBoards!(account, credentials))[0]!;
    const image = await hostedMedia(control, 'mandelbrot.jpg');
    await control.configure({ pinterestAccess: 'trial' });
    try {
      const outcome = await adapter.publish(account, credentials, { text: 'Trial pin', media: [image], boardId: board.id, idempotencyKey: `t-${Date.now()}` });
      expect(outcome).toMatchObject({ kind: 'invalid', message: expect.stringContaining('Standard access') });
      expect(outcome.kind === 'invalid' && outcome.message).not.toMatch(/reconnect and grant/);
      // Reading still works with Trial access: the connection itself is fine.
      expect(expectOk(await adapter.validate(account, credentials))).toEqual({});
    } finally {
      await control.configure({ pinterestAccess: 'standard' });
    }
  });
});
