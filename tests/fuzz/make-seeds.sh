#!/usr/bin/env bash
# Writes the seed corpora: valid commands of every service action and every
# closing case, in each harness's input format (see the harness comments).
set -eu
out=${1:-tests/fuzz/corpus}
mkdir -p "$out/conn" "$out/validate" "$out/client" "$out/block_pr"

hex() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
zeros() { printf "%0$(($1 * 2))d" 0; }

# conn: chunk NFDS HEX -> control byte(s) + data, split into <=64-byte chunks.
chunk() {
    local nfds=$1 data=$2 out="" first=1
    while [ -n "$data" ]; do
        local piece=${data:0:128} n
        data=${data:128}
        n=$((${#piece} / 2))
        local f=0; [ $first = 1 ] && f=$nfds
        out+=$(printf '%02x' $((f << 6 | (n - 1))))$piece
        first=0
    done
    printf '%s' "$out"
}
conn() { hex "$2" > "$out/conn/$1"; }
hello=$(chunk 0 00000000)
hello_bit0=$(chunk 0 00000001)
prin() { printf '5e%02x0000000000%04x0000000000000000' "$1" "$2" | cut -c1-32; }
prout() { printf '5f%02x%02x00000000%04x0000000000000000' "$1" "$2" "$3" | cut -c1-32; }

for sa in 0 1 2 3; do
    for len in 0 8 8192; do
        conn "prin-sa$sa-len$len" "$hello$(chunk 1 "$(prin $sa $len)")"
    done
done
for sa in 0 1 2 3 4 5 6 7; do
    conn "prout-sa$sa" "$hello$(chunk 1 "$(prout $sa 1 24)")$(chunk 0 "$(zeros 24)")"
done
conn prout-len0 "$hello$(chunk 1 "$(prout 0 0 0)")"
conn prout-len8192 "$hello$(chunk 1 "$(prout 0 0 8192)")$(chunk 0 "$(zeros 8192)")"
conn prout-bytes56 "$hello$(chunk 1 5f000000000100001800000000000000)$(chunk 0 "$(zeros 24)")"
conn close-feature-bit0 "$hello_bit0$(chunk 1 ff000000000000000000000000000000)"
conn two-requests "$hello$(chunk 1 "$(prin 0 8)")$(chunk 1 "$(prout 6 0 24)")$(chunk 0 "$(zeros 24)")"
conn fd-last-byte "$hello$(chunk 0 5e0000000000000008000000000000)$(chunk 1 00)"
# Closing cases.
conn close-features "$(chunk 0 00000002)"
conn close-opcode-ff "$hello$(chunk 1 ff000000000000000000000000000000)"
conn close-no-fd "$hello$(chunk 0 "$(prin 0 8)")"
conn close-two-fds "$hello$(chunk 2 "$(prin 0 8)")"
conn close-second-fd-later "$hello$(chunk 1 5e00000000)$(chunk 1 "$(zeros 11)")"
conn close-opcode "$hello$(chunk 1 12000000000000000000000000000000)"
conn close-length "$hello$(chunk 1 "$(prin 0 8193)")"
conn close-eof-cdb "$hello$(chunk 1 5e0000)00"
conn close-eof-param "$hello$(chunk 1 "$(prout 0 0 24)")$(chunk 0 "$(zeros 8)")00"

# validate: flags byte + record (host byte order: little-endian here).
CMD=$(le32 0x434d4431) BYE=$(le32 0x42594531) NOTE=$(le32 0x4e4f5431)
val() { hex "$2" > "$out/validate/$1"; }
# A command names its fd (here 5) and carries none (ipc.h).
FD=$(le32 5)
for sa in 0 1 2 3; do val "prin-sa$sa" "00$CMD$(le32 0)$FD$(prin $sa 8192)"; done
for sa in 0 1 2 3 4 5 6 7; do val "prout-sa$sa" "00$CMD$(le32 24)$FD$(prout $sa 1 24)$(zeros 24)"; done
val bad-opcode-ff "00$CMD$(le32 0)${FD}ff000000000000000000000000000000"
for code in 0 1 2 3 4 5 6 7 8 9; do val "goodbye-$code" "00$BYE$(le32 $code)"; done
val notice "00$NOTE$(le32 10)"
val bad-with-fd "01$CMD$(le32 0)$FD$(prin 0 8)"
val bad-fd-number "00$CMD$(le32 0)$(le32 -1)$(prin 0 8)"
val bad-truncated "04$CMD$(le32 0)$FD$(prin 0 8)"
val bad-prout-len "00$CMD$(le32 23)$FD$(prout 0 0 24)$(zeros 23)"
val bad-opcode "00$CMD$(le32 0)${FD}12000000000000000000000000000000"
val bad-type "00$(le32 7)$(le32 0)$FD$(prin 0 8)"

# client: mode byte, SA, allocation length, then the reply.
cli() { hex "$2" > "$out/client/$1"; }
sense0=$(zeros 96)
cli keys "00002000""00000000""00000018""$sense0""0000000100000010000000000000abcd0000000000001234"
cli keys-truncated "00000010""00000000""00000010""$sense0""000000010000001000000000000000ab"
cli reservation "02010040""00000000""00000018""$sense0""000000050000001000000000000000ab0000000000000001"
cli caps "04020008""00000000""00000008""$sense0""000811000f610000"
cli fullstatus "00030100""00000000""00000030""$sense0""000000030000002800000000000000ab00000000000000000000000000000001000000180600000000000000000000000000000000000000"
cli check-condition "00000100""00000002""00000000""70000b000000000a000000000006""$(zeros 82)"
cli prout-good "01000018""00000000""00000000""$sense0"
cli bad-size "00000008""00000000""00000010""$sense0""00000000000000000000000000000000"
# block_pr: a PR OUT CDB, then its parameter list (keys, flags byte 20).
blk() { hex "$2" > "$out/block_pr/$1"; }
plist() { printf '%016x%016x00000000%02x000000' "$1" "$2" "${3:-0}"; }
for sa in 0 1 2 3 4 5 6 7; do blk "prout-sa$sa" "$(prout $sa 5 24)$(plist 0xa1 0xb1)"; done
blk spec-i-pt "$(prout 0 0 32)$(plist 0 0xa1 8)$(zeros 8)"
blk all-tg-pt "$(prout 0 0 24)$(plist 0 0xa1 4)"
blk short-list "$(prout 0 0 16)$(zeros 16)"
blk scope "$(prout 1 0x15 24)$(plist 0xa1 0)"
blk read-keys-13 "$(prin 0 13)$(plist 0xa1 0xa1)"
echo "seeds written to $out"
