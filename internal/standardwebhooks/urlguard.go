package standardwebhooks

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"time"
)

// Resolver turns a host name into addresses. *net.Resolver satisfies it;
// tests pass their own to decide what a name resolves to and when.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var _ Resolver = (*net.Resolver)(nil)

// resolveTimeout bounds one name lookup even when the caller's context has
// no deadline: a resolver that never answers must not hold a delivery.
const resolveTimeout = 5 * time.Second

// URLPolicy says which webhook URLs CheckURL and the dialer accept.
type URLPolicy struct {
	// AllowLoopback permits loopback addresses, and plain http to them, for
	// local runs against a receiver on the same machine. Never set it in
	// production: loopback there is the Lambda's own runtime API.
	AllowLoopback bool
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver Resolver
}

func (p URLPolicy) resolver() Resolver {
	if p.Resolver == nil {
		return net.DefaultResolver
	}
	return p.Resolver
}

// CheckURL parses raw and refuses it unless it is an https URL without
// userinfo whose host is, and resolves only to, public addresses. Plain http
// passes only under AllowLoopback and only to loopback. Errors name the host
// at most, never the path or query, which often carry the receiver's token.
//
// Passing here is not enough on its own: the name may resolve elsewhere at
// delivery time, which is why Client's dialer checks the address again.
func CheckURL(ctx context.Context, raw string, policy URLPolicy) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Hostname() == "" {
		return nil, newError(CodeInvalidURL, "webhook URL is not an absolute http(s) URL with a host")
	}
	if u.User != nil {
		// Credentials in the URL would be sent to whoever answers and end
		// up in logs; receivers authenticate us by the signature instead.
		return nil, newError(CodeURLUserinfo, "webhook URL may not contain a user name or password")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, newError(CodeURLScheme, "webhook URL must use https")
	}
	addrs, err := resolveHost(ctx, policy.resolver(), u.Hostname())
	if err != nil {
		return nil, err
	}
	allLoopback := true
	for _, addr := range addrs {
		if err := checkAddress(addr, policy.AllowLoopback); err != nil {
			return nil, err
		}
		allLoopback = allLoopback && addressClass(addr) == CodeAddrLoopback
	}
	if u.Scheme == "http" && !(policy.AllowLoopback && allLoopback) {
		return nil, newError(CodeURLScheme, "webhook URL must use https (plain http only to loopback in local runs)")
	}
	return u, nil
}

// resolveHost returns host's addresses: the host itself when it is an
// address literal, otherwise what the resolver says, bounded by
// resolveTimeout. Every address is returned so the caller can refuse a name
// when any of them is refused: a client may pick any one of them.
func resolveHost(ctx context.Context, resolver Resolver, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{addr}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, &Error{Code: CodeResolveFailed, Message: "could not resolve host " + host, Err: err}
	}
	if len(addrs) == 0 {
		return nil, newError(CodeResolveFailed, "host "+host+" has no addresses")
	}
	return addrs, nil
}
