/** Names of link types, as tcpdump and Wireshark use them. */
const NAMES: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 12: 'RAW', 14: 'RAW', 101: 'RAW', 105: 'IEEE802_11', 108: 'LOOP', 113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIO', 228: 'IPV4', 229: 'IPV6', 239: 'NFLOG', 276: 'LINUX_SLL2', 9: 'PPP', 50: 'PPP_HDLC', 204: 'PPP_WITH_DIR',
  104: 'C_HDLC', 119: 'PRISM_HEADER', 163: 'IEEE802_11_RADIO_AVS', 192: 'PPI', 195: 'IEEE802_15_4', 201: 'BLUETOOTH_HCI_H4_WITH_PHDR', 147: 'USER0', 149: 'USER2', 258: 'PKTAP', 10: 'FDDI', 6: 'IEEE802', 226: 'IPNET', 281: 'DSA_TAG_BRCM', 282: 'DSA_TAG_BRCM_PREPEND', 284: 'DSA_TAG_DSA', 285: 'DSA_TAG_EDSA', 107: 'FRELAY',
};

export function linkTypeName(t: number): string {
  return NAMES[t] ?? `LINKTYPE_${t}`;
}
