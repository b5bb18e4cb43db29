/**
 * `nps live` for real: a network namespace with a veth pair (the test makes
 * both and removes them), nps capturing on the near end through tcpdump, and
 * known traffic from the test itself to a server inside the namespace: ARP,
 * a DHCP request broadcast, a DNS PTR query and answer, an HTTP request with a
 * User-Agent. SIGINT stops it; the final report must hold those assets,
 * names and flows, and equal the offline analysis of the same packets. Error
 * paths: missing program, no permission, no such interface. Needs root,
 * iproute2 and tcpdump (CI installs tcpdump and runs as root); skips otherwise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { request } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dhcpPayload } from '../../src/capture/dhcp-builder.js';
import { binPath, ensureBuilt, runBin } from '../helpers/cli-run.js';
import { reportSchemaErrors } from '../helpers/schema.js';
import { haveTool, skip } from '../helpers/skip.js';

const isRoot = process.getuid?.() === 0;
const canRun = isRoot && haveTool('tcpdump') && spawnSync('ip', ['-V']).status === 0;
if (!canRun) {
  skip(`nps live tests need root, tcpdump and iproute2 (${isRoot ? 'tcpdump or ip missing' : 'not root'})`);
  process.exit(0);
}
ensureBuilt();

// Unique names per run: interface names are at most 15 characters.
const tag = (process.pid % 100000).toString(36);
const NS = `nps-${tag}`;
const NEAR = `nps${tag}a`;
const FAR = `nps${tag}b`;
const NET = `10.${(process.pid % 200) + 20}.77`;
const NEAR_IP = `${NET}.1`;
const FAR_IP = `${NET}.2`;
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
let tmp = '';
let server: ChildProcess | null = null;
let nsOk = false;

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

const SERVER = `
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
createServer((req, res) => { res.setHeader('Server', 'nps-test'); res.end('ok\\n'); }).listen(8080, '${FAR_IP}');
// A PTR answer for the question: the name of ${FAR_IP}.
const dns = createSocket('udp4');
dns.on('message', (q, from) => {
  const name = Buffer.from([5, ...Buffer.from('web01'), 3, ...Buffer.from('lab'), 7, ...Buffer.from('example'), 0]);
  const head = Buffer.from(q.subarray(0, 12)); head.writeUInt16BE(0x8180, 2); head.writeUInt16BE(1, 6);
  const rr = Buffer.alloc(12); rr.writeUInt16BE(0xc00c, 0); rr.writeUInt16BE(12, 2); rr.writeUInt16BE(1, 4); rr.writeUInt32BE(300, 6); rr.writeUInt16BE(name.length, 10);
  dns.send(Buffer.concat([head, q.subarray(12), rr, name]), from.port, from.address);
});
dns.bind(53, '${FAR_IP}', () => process.stdout.write('ready\\n'));
`;

test.before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nps-live-'));
  try {
    sh('ip', ['netns', 'add', NS]);
    sh('ip', ['link', 'add', NEAR, 'type', 'veth', 'peer', 'name', FAR]);
    sh('ip', ['link', 'set', FAR, 'netns', NS]);
    sh('ip', ['addr', 'add', `${NEAR_IP}/24`, 'dev', NEAR]);
    sh('ip', ['link', 'set', NEAR, 'up']);
    sh('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', `${FAR_IP}/24`, 'dev', FAR]);
    sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', FAR, 'up']);
    nsOk = true;
  } catch (e) {
    skip(`cannot create a network namespace here (${(e as Error).message.trim()})`);
    return;
  }
  writeFileSync(join(tmp, 'server.mjs'), SERVER);
  server = spawn('ip', ['netns', 'exec', NS, process.execPath, join(tmp, 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.once('data', () => resolve());
    server!.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
});

test.after(() => {
  server?.kill('SIGKILL');
  spawnSync('ip', ['link', 'del', NEAR]);
  spawnSync('ip', ['netns', 'del', NS]);
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts `nps live` and resolves once the capture program listens. */
function startLive(args: string[]): Promise<{ child: ChildProcess; stdout: () => string; stderr: () => string; done: Promise<number | null> }> {
  const child = spawn(process.execPath, [binPath, 'live', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nps live did not start: ${err}`)), 15000);
    child.stderr!.on('data', (d) => {
      err += d;
      if (/capturing on/.test(err)) {
        clearTimeout(timer);
        resolve({ child, stdout: () => out, stderr: () => err, done });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`nps live exited ${code} before capturing: ${err}`));
    });
  });
}

const macOf = (iface: string, ns?: string) =>
  (ns ? spawnSync('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${iface}/address`], { encoding: 'utf8' }).stdout : readFileSync(`/sys/class/net/${iface}/address`, 'utf8')).trim();

/** The known traffic, from this process to the namespace. */
async function traffic(): Promise<void> {
  const mac = macOf(NEAR);
  // A DHCP request, broadcast on the link, naming this host.
  const dhcp = createSocket('udp4');
  await new Promise<void>((r) => dhcp.bind(68, NEAR_IP, () => r()));
  dhcp.setBroadcast(true);
  const payload = dhcpPayload({ op: 1, type: 3, mac, hostname: 'nps-live-client', requestedIp: NEAR_IP, prl: [1, 3, 6, 15, 28, 51, 58, 59] });
  await new Promise<void>((r) => dhcp.send(payload, 67, `${NET}.255`, () => r()));
  dhcp.close();
  // DNS: who is the server?
  const dns = createSocket('udp4');
  const answer = new Promise<Buffer>((r) => dns.once('message', (m) => r(m)));
  const qname = Buffer.concat([...FAR_IP.split('.').reverse(), 'in-addr', 'arpa'].map((l) => Buffer.from([l.length, ...Buffer.from(l)])));
  dns.send(Buffer.concat([Buffer.from('beef01000001000000000000', 'hex'), qname, Buffer.from('00000c0001', 'hex')]), 53, FAR_IP);
  await answer;
  dns.close();
  // HTTP with a User-Agent.
  await new Promise<void>((resolve, reject) => {
    const req = request({ host: FAR_IP, port: 8080, path: '/', headers: { 'User-Agent': UA, Host: 'web01.lab.example:8080' } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end();
  });
}

function tcpdumpFor(iface: string): string {
  return spawnSync('pgrep', ['-af', `tcpdump -i ${iface} `], { encoding: 'utf8' }).stdout.trim();
}

type Obj = Record<string, unknown>;

test('live capture of known traffic, stopped by SIGINT: assets, names and flows; offline analysis of the same packets agrees', async () => {
  if (!nsOk) return;
  const raw = join(tmp, 'raw.pcap');
  const live = await startLive(['-i', NEAR, '-f', 'json', '--deterministic', '-w', raw]);
  await traffic();
  await new Promise((r) => setTimeout(r, 300));
  live.child.kill('SIGINT');
  const code = await live.done;
  assert.is(code, 0, live.stderr());
  const report = JSON.parse(live.stdout()) as Obj & { assets: Obj[]; flows: Obj[] };
  assert.equal(reportSchemaErrors(report as never), []);
  const near = report.assets.find((a) => (a.ips as string[]).includes(NEAR_IP));
  const far = report.assets.find((a) => (a.ips as string[]).includes(FAR_IP));
  assert.ok(near && far, JSON.stringify([report.capture, report.assets.map((a) => a.ips)]));
  assert.is(near!.mac, macOf(NEAR));
  assert.is(far!.mac, macOf(FAR, NS));
  assert.ok((near!.hostnames as string[]).includes('nps-live-client'), JSON.stringify(near!.hostnames));
  assert.match(String((near!.os as Obj | null)?.name), /Linux/);
  assert.ok((far!.hostnames as string[]).includes('web01.lab.example'), JSON.stringify(far!.hostnames));
  const ports = (far!.open_ports as Obj[]).map((p) => `${p.port}/${p.proto}`);
  assert.ok(ports.includes('8080/tcp') && ports.includes('53/udp'), ports.join(' '));
  const flows = report.flows.map((f) => `${f.client_ip}>${f.server_ip}:${f.server_port}/${f.protocol} ${f.application}`);
  for (const want of [`${NEAR_IP}>${FAR_IP}:8080/tcp HTTP`, `${NEAR_IP}>${FAR_IP}:53/udp DNS`]) assert.ok(flows.includes(want), `${want} in ${flows.join(', ')}`);
  assert.ok(flows.some((f) => f.includes(':67/udp')), flows.join(', '));
  assert.is(tcpdumpFor(NEAR), '', 'tcpdump ended with nps');

  // The same packets, saved with -w, analysed offline: the same report but for the source's name.
  const offline = runBin(['analyze', '-f', 'json', '--deterministic', raw]);
  assert.is(offline.status, 0, offline.stderr);
  const off = JSON.parse(offline.stdout) as Obj & { capture: { files: Obj[] } };
  const liveCapture = report.capture as { files: Obj[] };
  assert.is(liveCapture.files[0]!.path, `tcpdump:${NEAR}`);
  liveCapture.files[0]!.path = raw;
  assert.equal(report, off);
});

test('snapshots every second into a directory, then a final report; SIGTERM stops it too', async () => {
  if (!nsOk) return;
  const dir = join(tmp, 'snaps');
  const live = await startLive(['-i', NEAR, '-f', 'json', '-o', dir, '--snapshot-interval', '1s']);
  await traffic();
  // Two snapshot intervals after the traffic; on a busy machine the first
  // snapshot can come late, so wait (up to 15 s) until two are written.
  await new Promise((r) => setTimeout(r, 2300));
  const snapshots = () => (existsSync(dir) ? readdirSync(dir).filter((f) => /^snapshot-.*\.json$/.test(f)).length : 0);
  for (let waited = 0; snapshots() < 2 && waited < 15000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  live.child.kill('SIGTERM');
  assert.is(await live.done, 0, live.stderr());
  const files = readdirSync(dir).sort();
  const snaps = files.filter((f) => /^snapshot-\d{8}T\d{6}Z\.json$/.test(f));
  const finals = files.filter((f) => /^final-\d{8}T\d{6}Z\.json$/.test(f));
  assert.ok(snaps.length >= 2, files.join(' '));
  assert.is(finals.length, 1, files.join(' '));
  assert.not.ok(files.some((f) => f.includes('.tmp-')), 'no half-written file is left');
  const last = JSON.parse(readFileSync(join(dir, snaps[snaps.length - 1]!), 'utf8')) as { flows: Obj[] };
  assert.ok(last.flows.some((f) => f.server_port === 8080), 'a snapshot counts connections still open');
  const final = JSON.parse(readFileSync(join(dir, finals[0]!), 'utf8')) as { flows: Obj[] };
  assert.ok(final.flows.some((f) => f.server_port === 8080));
});

test('-c stops after n packets; --duration stops on time', async () => {
  if (!nsOk) return;
  const counted = await startLive(['-i', NEAR, '-f', 'json', '-c', '3']);
  await traffic();
  assert.is(await counted.done, 0, counted.stderr());
  assert.is((JSON.parse(counted.stdout()) as { capture: { packets: number } }).capture.packets, 3);
  const t0 = Date.now();
  const timed = await startLive(['-i', NEAR, '-f', 'json', '--duration', '1s']);
  assert.is(await timed.done, 0);
  assert.ok(Date.now() - t0 < 8000);
  assert.is(tcpdumpFor(NEAR), '');
});

test('--capture-program dumpcap (pcapng through the pipe)', async () => {
  if (!nsOk) return;
  if (!haveTool('dumpcap')) {
    skip('dumpcap missing: --capture-program dumpcap is not run');
    return;
  }
  const live = await startLive(['-i', NEAR, '-f', 'json', '--capture-program', 'dumpcap', 'tcp', 'port', '8080']);
  // dumpcap says "Capturing on" before its filter is in place, and has no immediate mode:
  // packets wait in the kernel's block for up to its timeout.
  await new Promise((r) => setTimeout(r, 1000));
  await traffic();
  await new Promise((r) => setTimeout(r, 1500));
  live.child.kill('SIGINT');
  assert.is(await live.done, 0, live.stderr());
  const report = JSON.parse(live.stdout()) as { capture: { files: Obj[] }; flows: Obj[] };
  assert.is(report.capture.files[0]!.format, 'pcapng');
  assert.equal(
    report.flows.map((f) => `${f.server_port}/${f.protocol}`),
    ['8080/tcp'],
  );
});

test('--push: pushes on the wall clock reach nps receive; their sum equals the final report', async () => {
  if (!nsOk) return;
  const token = join(tmp, 'push-token');
  writeFileSync(token, 'live-push-secret\n');
  const cfg = join(tmp, 'push.yaml');
  writeFileSync(cfg, 'sensor:\n  name: live-test\n  network: lab\nreporting:\n  new_asset_interval: 1s\n  update_interval: 2s\n');
  const rx = spawn(process.execPath, [binPath, 'receive', '--port', '0', '--token-file', token, '--data-dir', join(tmp, 'received'), '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    rx.stderr!.on('data', (d) => {
      err += d;
      const m = /:(\d+)\/push/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    rx.on('close', () => reject(new Error(err)));
  });
  try {
    const live = await startLive(['-i', NEAR, '-f', 'json', '--config', cfg, '--push', `http://127.0.0.1:${port}/push`, '--token-file', token, '--spool', join(tmp, 'live-spool')]);
    await traffic();
    await new Promise((r) => setTimeout(r, 2500));
    await traffic();
    await new Promise((r) => setTimeout(r, 300));
    live.child.kill('SIGINT');
    assert.is(await live.done, 0, live.stderr());
    assert.not.match(live.stderr(), /live-push-secret/);
    const report = JSON.parse(live.stdout()) as { assets: Obj[]; flows: Obj[] };
    const print = runBin(['receive', '--print', '--data-dir', join(tmp, 'received'), '-f', 'json']);
    const sensor = (JSON.parse(print.stdout) as { sensors: Obj[] }).sensors[0]!;
    assert.ok((sensor.pushes as number) >= 2, `several pushes (${sensor.pushes})`);
    assert.is(sensor.final_seen, true);
    const ids = (xs: Obj[]) => xs.map((a) => String(a.id)).sort();
    assert.equal(ids(sensor.assets as Obj[]), ids(report.assets));
    const total = (xs: Obj[]) => xs.reduce((n, f) => n + (f.client_bytes as number) + (f.server_bytes as number), 0);
    assert.is(total(sensor.flows as Obj[]), total(report.flows));
  } finally {
    rx.kill('SIGTERM');
  }
});

test('the capture program dies with nps, even when nps is killed with SIGKILL', async () => {
  if (!nsOk) return;
  const live = await startLive(['-i', NEAR, '-f', 'json']);
  assert.not.equal(tcpdumpFor(NEAR), '');
  live.child.kill('SIGKILL');
  await live.done;
  for (let i = 0; i < 20 && tcpdumpFor(NEAR) !== ''; i++) await new Promise((r) => setTimeout(r, 100));
  assert.is(tcpdumpFor(NEAR), '');
});

test('errors, exit 3: no such interface (listing those there are), capture program missing, no permission, bad filter', () => {
  const noIface = runBin(['live', '-i', 'nosuch0']);
  assert.is(noIface.status, 3);
  assert.match(noIface.stderr, /no network interface named "nosuch0" on this machine; available: .*\blo\b/);
  const missing = spawnSync(process.execPath, [binPath, 'live', '-i', 'lo'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
  assert.is(missing.status, 3);
  assert.match(missing.stderr, /tcpdump was not found on PATH: install it \(Debian\/Ubuntu: apt-get install tcpdump/);
  if (haveTool('setpriv')) {
    const noPerm = spawnSync('setpriv', ['--bounding-set', '-net_raw,-net_admin', process.execPath, binPath, 'live', '-i', 'lo', '--duration', '5s'], { encoding: 'utf8' });
    assert.is(noPerm.status, 3, noPerm.stderr);
    assert.match(noPerm.stderr, /tcpdump has no permission to capture on lo \(capturing needs CAP_NET_RAW and CAP_NET_ADMIN\): run nps as root/);
  } else skip('setpriv missing: the no-permission path is not run');
  const badFilter = runBin(['live', '-i', 'lo', '--duration', '5s', 'tcp', 'port', 'nonsense(']);
  assert.is(badFilter.status, 3);
  assert.match(badFilter.stderr, /tcpdump rejected the capture filter/);
  const usage = runBin(['live', '--snapshot-interval', '1m', '-i', 'lo']);
  assert.is(usage.status, 2);
  assert.match(usage.stderr, /--snapshot-interval needs -o\/--output DIR/);
  assert.is(runBin(['live']).status, 2);
  assert.not.ok(existsSync(join(tmp, 'never')));
});

test.run();
