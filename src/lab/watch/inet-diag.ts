// The backlog of each listening TCP socket, from the kernel's sock_diag
// netlink interface (what `ss -lnt` prints as Send-Q). /proc/net/tcp has the
// accept queue's length (rx_queue) but not its limit: its tx_queue column is
// write_seq - snd_una, 0 for a LISTEN socket. inet_diag's reply holds both:
// for a listener, idiag_rqueue is the accept queue, idiag_wqueue the backlog.
// Plain socket / write / read on an AF_NETLINK socket: no native code.
import { endianness } from 'node:os';
import { socket, write, read, close, AF_INET, AF_INET6, SOCK_DGRAM } from '../../sys/index.js';

const AF_NETLINK = 16;             // <linux/socket.h>
const NETLINK_SOCK_DIAG = 4;       // <linux/netlink.h>
const SOCK_DIAG_BY_FAMILY = 20;    // <linux/sock_diag.h>
const NLM_F_REQUEST = 0x1, NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2, NLMSG_DONE = 3;
const IPPROTO_TCP = 6;
const TCP_LISTEN = 10;
const NLMSG_HDRLEN = 16;           // struct nlmsghdr
const REQ_LEN = NLMSG_HDRLEN + 56; // + struct inet_diag_req_v2
const MSG_LEN = 72;                // struct inet_diag_msg
const LE = endianness() === 'LE';  // netlink headers and counters are in host order

/** Backlog (sk_max_ack_backlog) by socket inode, for the LISTEN sockets of this network namespace; null if netlink is refused. */
export function listen_backlogs(): Map<number, number> | null {
  const fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
  if (fd < 0) return null;
  const out = new Map<number, number>();
  try {
    for (const family of [AF_INET, AF_INET6]) {
      const req = new Uint8Array(REQ_LEN);
      const v = new DataView(req.buffer);
      v.setUint32(0, REQ_LEN, LE);                 // nlmsg_len
      v.setUint16(4, SOCK_DIAG_BY_FAMILY, LE);     // nlmsg_type
      v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, LE);
      v.setUint8(16, family);                        // sdiag_family
      v.setUint8(17, IPPROTO_TCP);                   // sdiag_protocol
      v.setUint32(20, 1 << TCP_LISTEN, LE);        // idiag_states
      if (write(fd, req, req.length) !== req.length) return null;
      const buf = new Uint8Array(65536);
      // A dump comes as datagrams of messages until NLMSG_DONE; bounded against a kernel that never says it.
      for (let turns = 0; turns < 10_000; turns++) {
        const n = read(fd, buf, buf.length);
        if (n <= 0) return null;
        const r = new DataView(buf.buffer, 0, n);
        let done = false;
        for (let off = 0; off + NLMSG_HDRLEN <= n;) {
          const len = r.getUint32(off, LE), type = r.getUint16(off + 4, LE);
          if (len < NLMSG_HDRLEN) break;
          if (type === NLMSG_DONE) done = true;
          else if (type === NLMSG_ERROR) return null;
          else if (len >= NLMSG_HDRLEN + MSG_LEN) {
            const m = off + NLMSG_HDRLEN;
            // idiag_family, state, timer, retrans (4); id (48); expires, rqueue, wqueue, uid, inode
            const wqueue = r.getUint32(m + 60, LE), inode = r.getUint32(m + 68, LE);
            out.set(inode, wqueue);
          }
          off += (len + 3) & ~3; // NLMSG_ALIGN
        }
        if (done) break;
      }
    }
    return out;
  } finally {
    close(fd);
  }
}
