package statsd

import (
	"net"
	"syscall"
)

// setReadBuffer asks for a receive buffer of size bytes and returns what the kernel reports.
// When net.core.rmem_max caps the request, it retries with SO_RCVBUFFORCE, which root (or
// CAP_NET_ADMIN) may use; otherwise the capped size stays.
func setReadBuffer(c *net.UDPConn, size int) int {
	_ = c.SetReadBuffer(size)
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	got := 0
	_ = rc.Control(func(fd uintptr) {
		got, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
		if got < size { // Linux reports twice the size it granted
			if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, size) == nil {
				got, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
			}
		}
	})
	return got
}

// drainUDP hands every datagram still queued on c to handle, without waiting for more.
func drainUDP(c *net.UDPConn, buf []byte, handle func([]byte)) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		for {
			n, err := syscall.Read(int(fd), buf)
			switch {
			case err == syscall.EINTR:
			case err != nil:
				return true // EAGAIN: the queue is empty
			case n > 0:
				handle(buf[:n])
			}
		}
	})
}
