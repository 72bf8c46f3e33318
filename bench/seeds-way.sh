#!/usr/bin/env bash
# The seeds' procedure (Alibaba's guides), scripted plainly: one curl per metadata field, one `ip` command per
# address, route and rule, table 100N for ethN. Produces the same kernel state as `eni-init apply` with defaults
# (tables 1000+N, rules at priority 20000+N, protocol 203) so the benchmark compares equal work.
# Usage: seeds-way.sh [METADATA_BASE_URL]   (run inside the instance, as root)
set -u
URL=${1:-http://100.100.100.200}
META="$URL/latest/meta-data"
TOKEN=$(curl -s -X PUT -H 'X-aliyun-ecs-metadata-token-ttl-seconds: 21600' "$URL/latest/api/token")
get() { curl -s -H "X-aliyun-ecs-metadata-token: $TOKEN" "$META/$1"; }

# 255.255.255.0 -> 24, as the seeds' netmask_to_cidr does (there with bc; here in bash, which only favours them).
netmask_to_cidr() {
  local cidr=0 octet
  IFS=. read -ra octets <<<"$1"
  for octet in "${octets[@]}"; do
    while [ "$octet" -gt 0 ]; do cidr=$((cidr + (octet & 1))); octet=$((octet >> 1)); done
  done
  echo "$cidr"
}
network_of() { # ip prefix -> network address
  local IFS=. a b c d mask
  read -r a b c d <<<"$1"
  mask=$(( (0xffffffff << (32 - $2)) & 0xffffffff ))
  local n=$(( ((a << 24) | (b << 16) | (c << 8) | d) & mask ))
  echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))"
}

PRIMARY_MAC=$(get mac)
for nic in /sys/class/net/*; do
  NIC=$(basename "$nic")
  [ "$NIC" = lo ] && continue
  MAC=$(cat "$nic/address")
  IP_ADDRESS=$(get "network/interfaces/macs/$MAC/primary-ip-address")
  case "$IP_ADDRESS" in *[!0-9.]*|"") continue ;; esac   # not an ENI of this instance
  NETMASK=$(get "network/interfaces/macs/$MAC/netmask")
  GATEWAY=$(get "network/interfaces/macs/$MAC/gateway")
  IPS=$(get "network/interfaces/macs/$MAC/private-ipv4s" | tr -d '[]" ' | tr ',' ' ')
  CIDR=$(netmask_to_cidr "$NETMASK")
  SUBNET="$(network_of "$IP_ADDRESS" "$CIDR")/$CIDR"
  N=${NIC//[!0-9]/}
  TABLE=$((1000 + N))
  PRIO=$((20000 + N))
  if [ "$MAC" = "$PRIMARY_MAC" ]; then
    for IP in $IPS; do [ "$IP" = "$IP_ADDRESS" ] || ip addr add "$IP/32" dev "$NIC"; done
    continue
  fi
  ip link set dev "$NIC" up
  # The ENI's primary IP came from DHCP, as in the guides; the secondary ones are added by hand.
  for IP in $IPS; do [ "$IP" = "$IP_ADDRESS" ] || ip addr add "$IP/32" dev "$NIC"; done
  ip route replace "$SUBNET" dev "$NIC" table "$TABLE" proto 203 scope link src "$IP_ADDRESS"
  ip route replace default via "$GATEWAY" dev "$NIC" table "$TABLE" proto 203 onlink
  for IP in $IPS; do ip rule add pref "$PRIO" from "$IP/32" table "$TABLE" protocol 203; done
done
