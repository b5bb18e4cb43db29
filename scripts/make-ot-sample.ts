/**
 * Builds samples/ot-cell.pcapng with the project's own packet builder: an
 * industrial cell on 10.20.0.0/24 with
 *   - an engineering workstation / HMI (10.20.0.50) that polls everything;
 *   - a Modbus/TCP PLC (10.20.0.10, Schneider Electric) answering Read Device Identification;
 *   - a Siemens S7 PLC (10.20.0.20) answering SZL reads (order number, firmware, name, serial);
 *   - a BACnet/IP building controller (10.20.0.30) answering Who-Is and ReadProperty;
 *   - an EtherNet/IP adapter (10.20.0.40, Rockwell) answering ListIdentity;
 *   - a Profinet IO device (10.20.0.60, Siemens) answering a DCP Identify;
 *   - an OPC-UA server on the S7 PLC's neighbour gateway (10.20.0.70), session from the HMI.
 * Deterministic: the same bytes on every run (`npm run sample:ot`).
 */
import { arpPacket, linkFrame, tcpSession, udpPacket, type SessionMessage, type SessionPacket } from '../src/capture/builder.js';
import { writePcapngFile, type WriterPacket } from '../src/capture/writer.js';
import { bacnetIAm, bacnetReadProperty, bacnetReadPropertyAck, bacnetWhoIs } from '../src/capture/ot/bacnet.js';
import { enipListIdentityRequest, enipListIdentityResponse, enipRegisterSessionRequest, enipRegisterSessionResponse } from '../src/capture/ot/enip.js';
import { modbusReadDeviceIdRequest, modbusReadDeviceIdResponse, modbusReadHoldingRegistersRequest, modbusReadHoldingRegistersResponse } from '../src/capture/ot/modbus.js';
import { opcuaAcknowledge, opcuaCreateSessionRequest, opcuaCreateSessionResponse, opcuaHello, opcuaOpenSecureChannelRequest, opcuaOpenSecureChannelResponse } from '../src/capture/ot/opcua.js';
import { dcpIdentifyRequest, dcpIdentifyResponse } from '../src/capture/ot/profinet-dcp.js';
import {
  s7ComponentIdentificationResponse,
  s7CotpConnectConfirm,
  s7CotpConnectRequest,
  s7ModuleIdentificationResponse,
  s7SetupCommunicationAck,
  s7SetupCommunicationJob,
  s7SzlReadRequest,
} from '../src/capture/ot/s7comm.js';

export const OT_SAMPLE = 'samples/ot-cell.pcapng';

const T0 = Date.UTC(2026, 0, 14, 6, 0, 0) * 1000;
const HMI = { ip: '10.20.0.50', mac: '00:1e:c9:50:00:50' }; // Dell
const MODBUS_PLC = { ip: '10.20.0.10', mac: '00:80:f4:10:00:10' }; // Telemecanique (Schneider)
const S7_PLC = { ip: '10.20.0.20', mac: '00:1b:1b:20:00:20' }; // Siemens
const BACNET = { ip: '10.20.0.30', mac: '00:80:34:30:00:30' };
const ENIP = { ip: '10.20.0.40', mac: '00:00:bc:40:00:40' }; // Rockwell
const PROFINET = { ip: '10.20.0.60', mac: '00:1b:1b:60:00:60' }; // Siemens
const OPCUA = { ip: '10.20.0.70', mac: '00:30:de:70:00:70' };
const BROADCAST = '10.20.0.255';

/** Every packet of the cell, in time order. */
export function otCellPackets(): WriterPacket[] {
  const packets: WriterPacket[] = [];
  const add = (tsUs: number, data: Uint8Array) => packets.push({ tsUs, data });
  const addSession = (s: SessionPacket[]) => s.forEach((p) => add(p.tsUs, p.data));
  const session = (client: typeof HMI, server: typeof HMI, sport: number, cport: number, start: number, messages: [boolean, Uint8Array][]) =>
    addSession(
      tcpSession({
        client: client.ip, server: server.ip, clientMac: client.mac, serverMac: server.mac, cport, sport, startUs: start,
        requests: messages.map(([fromClient, data]): SessionMessage => ({ fromClient, data })),
        // A Windows HMI; controllers with small embedded stacks (MSS only, TTL 30).
        clientSynOptions: [{ kind: 'mss', value: 1460 }, { kind: 'nop' }, { kind: 'wscale', value: 8 }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sackok' }],
        clientTtl: 128,
        serverSynOptions: [{ kind: 'mss', value: 1460 }],
        serverTtl: 30,
      }),
    );

  let t = T0;
  // ARP: everyone is on the segment.
  for (const h of [MODBUS_PLC, S7_PLC, BACNET, ENIP, PROFINET, OPCUA]) {
    add((t += 1000), arpPacket({ op: 'request', senderMac: HMI.mac, senderIp: HMI.ip, targetIp: h.ip }));
    add((t += 300), arpPacket({ op: 'reply', senderMac: h.mac, senderIp: h.ip, targetMac: HMI.mac, targetIp: HMI.ip, dstMac: HMI.mac }));
  }

  // Modbus/TCP: identification, then polling holding registers.
  session(HMI, MODBUS_PLC, 502, 49152, T0 + 1_000_000, [
    [true, modbusReadDeviceIdRequest({ transactionId: 1, unitId: 1 })],
    [false, modbusReadDeviceIdResponse({ transactionId: 1, unitId: 1, vendor: 'Schneider Electric', productCode: 'BMX P34 2020', revision: 'v3.10', productName: 'Modicon M340' })],
    [true, modbusReadHoldingRegistersRequest({ transactionId: 2, unitId: 1, address: 0, quantity: 4 })],
    [false, modbusReadHoldingRegistersResponse({ transactionId: 2, unitId: 1, values: [215, 3, 0, 1200] })],
  ]);

  // S7comm: connect, setup communication, SZL module and component identification.
  session(HMI, S7_PLC, 102, 49153, T0 + 2_000_000, [
    [true, s7CotpConnectRequest({ srcTsap: 0x0100, dstTsap: 0x0102 })],
    [false, s7CotpConnectConfirm({ srcTsap: 0x0100, dstTsap: 0x0102 })],
    [true, s7SetupCommunicationJob({ pduRef: 1 })],
    [false, s7SetupCommunicationAck({ pduRef: 1 })],
    [true, s7SzlReadRequest({ pduRef: 2, szlId: 0x0011, szlIndex: 0 })],
    [false, s7ModuleIdentificationResponse({ pduRef: 2, orderNumber: '6ES7 315-2EH14-0AB0', firmware: 'V3.2.6' })],
    [true, s7SzlReadRequest({ pduRef: 3, szlId: 0x001c, szlIndex: 0 })],
    [false, s7ComponentIdentificationResponse({ pduRef: 3, plcName: 'PLC-LINE1', moduleName: 'CPU315', serial: 'S C-X4U421302009', moduleTypeName: 'CPU 315-2 PN/DP' })],
  ]);

  // BACnet/IP: Who-Is broadcast, I-Am, ReadProperty of the device object's name, model and firmware.
  const instance = 30001;
  add(T0 + 3_000_000, udpPacket({ src: HMI.ip, dst: BROADCAST, srcMac: HMI.mac, dstMac: 'ff:ff:ff:ff:ff:ff', sport: 47808, dport: 47808, payload: bacnetWhoIs({ broadcast: true }) }));
  add(T0 + 3_002_000, udpPacket({ src: BACNET.ip, dst: BROADCAST, srcMac: BACNET.mac, dstMac: 'ff:ff:ff:ff:ff:ff', sport: 47808, dport: 47808, payload: bacnetIAm({ broadcast: true, instance, vendorId: 5 }) }));
  const props: [number, string][] = [[77, 'AHU-1 Controller'], [70, 'FX-PCG2611'], [44, '10.2.3']];
  props.forEach(([property, value], i) => {
    const at = T0 + 3_100_000 + i * 20_000;
    add(at, udpPacket({ src: HMI.ip, dst: BACNET.ip, srcMac: HMI.mac, dstMac: BACNET.mac, sport: 47808, dport: 47808, payload: bacnetReadProperty({ invokeId: i + 1, instance, property }) }));
    add(at + 3000, udpPacket({ src: BACNET.ip, dst: HMI.ip, srcMac: BACNET.mac, dstMac: HMI.mac, sport: 47808, dport: 47808, payload: bacnetReadPropertyAck({ invokeId: i + 1, instance, property, value }) }));
  });

  // EtherNet/IP: ListIdentity over UDP, then a session over TCP.
  add(T0 + 4_000_000, udpPacket({ src: HMI.ip, dst: ENIP.ip, srcMac: HMI.mac, dstMac: ENIP.mac, sport: 49200, dport: 44818, payload: enipListIdentityRequest() }));
  add(
    T0 + 4_002_000,
    udpPacket({
      src: ENIP.ip, dst: HMI.ip, srcMac: ENIP.mac, dstMac: HMI.mac, sport: 44818, dport: 49200,
      payload: enipListIdentityResponse({ vendorId: 1, deviceType: 0x0e, productCode: 94, revision: '31.11', serial: 0x60d3a1b2, productName: '1756-L73/B LOGIX5573', ip: ENIP.ip }),
    }),
  );
  session(HMI, ENIP, 44818, 49154, T0 + 4_100_000, [
    [true, enipRegisterSessionRequest()],
    [false, enipRegisterSessionResponse({ session: 0x1001 })],
  ]);

  // Profinet DCP: the HMI's engineering tool identifies all; the IO device answers.
  add(T0 + 5_000_000, linkFrame(dcpIdentifyRequest({ xid: 7 }), { etherType: 0x8892, srcMac: HMI.mac, dstMac: '01:0e:cf:00:00:00' }));
  add(
    T0 + 5_001_000,
    linkFrame(
      dcpIdentifyResponse({ xid: 7, nameOfStation: 'et200sp-io1', vendorId: 0x002a, deviceId: 0x0313, role: 0x01, typeOfStation: 'ET 200SP', ip: PROFINET.ip, mask: '255.255.255.0', gateway: '10.20.0.1' }),
      { etherType: 0x8892, srcMac: PROFINET.mac, dstMac: HMI.mac },
    ),
  );
  // The IO device also speaks IP: the controller's context manager (UDP 34964) and its answer.
  add(T0 + 5_100_000, udpPacket({ src: HMI.ip, dst: PROFINET.ip, srcMac: HMI.mac, dstMac: PROFINET.mac, sport: 49300, dport: 34964, payload: Buffer.alloc(32) }));
  add(T0 + 5_101_000, udpPacket({ src: PROFINET.ip, dst: HMI.ip, srcMac: PROFINET.mac, dstMac: HMI.mac, sport: 34964, dport: 49300, payload: Buffer.alloc(32) }));

  // OPC-UA: Hello, OpenSecureChannel (policy None), CreateSession.
  const endpointUrl = `opc.tcp://${OPCUA.ip}:4840`;
  session(HMI, OPCUA, 4840, 49155, T0 + 6_000_000, [
    [true, opcuaHello({ endpointUrl })],
    [false, opcuaAcknowledge()],
    [true, opcuaOpenSecureChannelRequest()],
    [false, opcuaOpenSecureChannelResponse()],
    [true, opcuaCreateSessionRequest({ client: { applicationUri: 'urn:hmi:ScadaClient', applicationName: 'SCADA HMI Client' }, endpointUrl })],
    [false, opcuaCreateSessionResponse({ server: { applicationUri: 'urn:cell:OpcUaServer', applicationName: 'Cell OPC UA Server' }, endpointUrl })],
  ]);

  packets.sort((a, b) => a.tsUs - b.tsUs);
  return packets;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writePcapngFile(OT_SAMPLE, otCellPackets());
  process.stdout.write(`wrote ${OT_SAMPLE}\n`);
}
