//go:build !linux

package statsd

import "net"

// setReadBuffer asks for a receive buffer of size bytes; the granted size is not known here.
func setReadBuffer(c *net.UDPConn, size int) int {
	if c.SetReadBuffer(size) != nil {
		return 0
	}
	return size
}

// drainUDP is a no-op off Linux: datagrams still queued at shutdown are lost.
func drainUDP(*net.UDPConn, []byte, func([]byte)) {}
