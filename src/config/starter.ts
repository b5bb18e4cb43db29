/**
 * The commented starter configuration written by `nps config init`.
 * As written it behaves exactly like the built-in defaults (SPEC §2); the
 * commented-out examples show the optional sections. Lines of YAML in
 * comments are examples: remove the leading "# " to use them.
 */
export const STARTER_CONFIG = `# nps.yaml: configuration of the nps passive network sensor.
#
# nps reads ./nps.yaml when present (or the file given with --config).
# Check this file with \`nps config validate\`, and see how an address is
# classified with \`nps config explain <ip|mac>\`.
#
# Unknown keys are errors, so a typo never silently changes classification.
# Addresses and ranges may be written as:
#   a CIDR block      10.0.0.0/8, fd00::/8
#   a range           "10.10.11.5-10.10.11.99"   (inclusive, one family)
#   a single address  10.10.10.1, fd00::1
# Durations: 500ms, 30s, 5m, 24h, 7d, 1h30m (a bare number is seconds).
#
# An address is classified in this order:
#   1. excluded            (IP or MAC listed under "excluded")
#   2. internal, inventoried     (internal range with inventory: true)
#   3. internal, not inventoried (internal range with inventory: false)
#   4. monitored external  (IP or DNS name listed under "external")
#   5. external            (everything else, shown as one asset "External")

sensor:
  # Identifies this sensor in reports and merge decisions.
  name: nps
  # The "network" this sensor sees: sensors that see the same (possibly
  # overlapping) private address space share a network name.
  network: default

# Internal ranges: addresses worth knowing about. Groups of ranges, each with:
#   name        unique name of the group, shown in reports
#   ranges      list of CIDR blocks, ranges or single addresses
#   inventory   true: every device in these ranges becomes an asset with all
#               its attributes; false: traffic is tracked per IP only
#               (default true)
#   assignment  dhcp or static: how addresses in these ranges are assigned;
#               with dhcp an address alone does not identify a machine for
#               long (default dhcp)
# When ranges overlap, the most specific range wins. Two overlapping
# inventoried ranges are reported as a warning.
# Leaving out "internal" altogether means the ranges below; "internal: []"
# means nothing is internal.
internal:
  - name: default
    ranges:
      - 10.0.0.0/8          # RFC 1918
      - 172.16.0.0/12       # RFC 1918
      - 192.168.0.0/16      # RFC 1918
      - 100.64.0.0/10       # carrier-grade NAT (RFC 6598)
      - fc00::/7            # IPv6 unique local addresses
    inventory: true
    assignment: dhcp
# A group tracked by IP only, e.g. a guest network:
#   - name: guest-wifi
#     ranges: ["10.20.20.0/24", "10.20.21.5-10.20.21.99"]
#     inventory: false
#     assignment: dhcp

# Excluded addresses: never inventoried; their traffic is shown under the
# single label "Excluded", without IP address. Groups, each with:
#   name   unique name of the group
#   ips    list of CIDR blocks, ranges or single addresses
#   macs   list of MAC addresses, in quotes: "00:11:22:33:44:55",
#          "00-11-22-33-44-55" or "0011.2233.4455"
excluded: []
# For example (replace the line "excluded: []" with):
# excluded:
#   - name: nat-gateways
#     ips: [10.10.10.1]
#     macs: ["00:11:22:33:44:55"]

# Monitored external groups: traffic to these destinations is attributed to
# the group instead of the single "External" asset. Groups, each with:
#   name    unique name of the group, shown in traffic
#   fqdns   DNS names; "*.example.com" matches every subdomain of
#           example.com (but not example.com itself). An address belongs
#           to the group once DNS answers, TLS SNI or HTTP Host tie it to
#           one of these names.
#   ips     list of CIDR blocks, ranges or single addresses
external: []
# For example (replace the line "external: []" with):
# external:
#   - name: social-media
#     fqdns: [facebook.com, "*.facebook.com", "*.fbcdn.net"]
#     ips: [31.13.64.0/18]

merge:
  # Host names that never identify a machine when matching passively seen
  # assets with managed ones (compared case-insensitively),
  # e.g. [localhost, android, iphone].
  hostname_exclusions: []
  # How long a match on IP address alone stays valid without a DHCP lease
  # confirming it.
  ip_inactivity: 24h

reporting:
  # How often newly discovered assets are pushed.
  new_asset_interval: 5m
  # How often updates of known assets are pushed.
  update_interval: 30m

# Bounds of the tables that traffic can grow, so that hostile or huge
# captures cannot exhaust memory. When one is reached, the oldest entries
# are evicted (flow_rows: the oldest intervals' rows), counted, and the report
# carries a "table-limit" warning naming the table. Whole numbers; the
# defaults are shown. To change one, uncomment "limits:" and that key.
# limits:
#   flows: 262144            # simultaneous connections
#   assets: 32768            # addresses tracked (IPv4 and IPv6 together)
#   macs: 32768              # MAC addresses tracked
#   flow_rows: 200000        # aggregated flow rows held in memory (closed intervals go to TMPDIR)
#   fragments: 8192          # IP datagrams being reassembled from fragments
#   fragment_bytes: 33554432 # bytes of fragments buffered (32 MiB)
#   tcp_streams: 4096        # connections reassembled for payload dissection
#   observations: 65536      # distinct facts about devices (DHCP, mDNS, ...)
#   dns_names: 65536         # addresses learned from DNS answers, per family
#   duplicate_slots: 16384   # duplicate-packet detector slots (a power of two)
`;
