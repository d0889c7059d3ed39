package standardwebhooks

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// connectTimeout bounds one TCP connect; the delivery's own deadline still
// bounds the whole attempt.
const connectTimeout = 5 * time.Second

// DialControl returns a net.Dialer Control function that refuses to connect
// to any address CheckURL would refuse. It runs on the socket's actual
// address, after name resolution and just before connect, so it holds even
// when a name resolved to a public address at registration and resolves to
// 127.0.0.1 or 169.254.169.254 now (DNS rebinding).
func DialControl(allowLoopback bool) func(network, address string, conn syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		addrPort, err := netip.ParseAddrPort(address)
		if err != nil {
			return newError(CodeAddrReserved, "cannot judge dial address "+address)
		}
		return checkAddress(addrPort.Addr(), allowLoopback)
	}
}

// guardedDialContext is the http.Transport dial function of Client: it
// resolves with policy's resolver (so tests control resolution as it happens
// at delivery) and connects through a dialer whose Control re-checks the
// address. Addresses are tried in order until one connects.
func guardedDialContext(policy URLPolicy) func(ctx context.Context, network, address string) (net.Conn, error) {
	dialer := &net.Dialer{Timeout: connectTimeout, Control: DialControl(policy.AllowLoopback)}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, portText, err := net.SplitHostPort(address)
		if err != nil {
			return nil, newError(CodeInvalidURL, "cannot split dial address")
		}
		port, err := strconv.ParseUint(portText, 10, 16)
		if err != nil {
			return nil, newError(CodeInvalidURL, "dial port is not a number")
		}
		addrs, err := resolveHost(ctx, policy.resolver(), host)
		if err != nil {
			return nil, err
		}
		var errs []error
		for _, addr := range addrs {
			conn, err := dialer.DialContext(ctx, network, netip.AddrPortFrom(addr, uint16(port)).String())
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
}
