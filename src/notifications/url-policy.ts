// Where a notification may be sent. Notification settings are configuration, which only the
// installation's users change — and every user of a Sluice installation is its administrator (there
// are no roles) — so a webhook URL is trusted as the administrator's choice, loopback included (a
// receiver on the same machine is a normal set-up). What is refused anyway, because no notification
// receiver lives there and because it is where an attacker who got hold of an account would aim: the
// cloud metadata service and the rest of link-local space, the unspecified and multicast addresses,
// and any scheme but http and https. The check runs on the addresses the name resolves to at delivery
// time; redirects are not followed. See docs/notifications.md.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export class RefusedDestination extends Error {}

function refusedAddress(address: string): string | undefined {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.\d+\.\d+$/i.exec(address);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (a === 169 && b === 254) return 'a link-local address (cloud metadata)';
    if (a === 0) return 'the unspecified address';
    if (a >= 224) return 'a multicast or reserved address';
    return undefined;
  }
  const v6 = address.toLowerCase();
  if (/^fe[89ab]/.test(v6)) return 'a link-local address';
  if (v6 === '::') return 'the unspecified address';
  if (v6.startsWith('ff')) return 'a multicast address';
  if (v6.startsWith('fd00:ec2::254')) return 'the cloud metadata address';
  return undefined;
}

/** Throws RefusedDestination when the URL may not receive a notification. */
export async function checkDestination(url: string): Promise<void> {
  const parsed = new URL(url);
  if (!/^https?:$/.test(parsed.protocol))
    throw new RefusedDestination(`${parsed.protocol} is not http or https`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  for (const address of addresses) {
    const why = refusedAddress(address);
    if (why) throw new RefusedDestination(`${parsed.host} resolves to ${why}`);
  }
}
