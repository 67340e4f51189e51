package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// nonPublic lists ranges that are not reachable public unicast space, beyond
// what the [netip.Addr] predicates already cover (loopback, RFC 1918 and
// fc00::/7, link-local, multicast, unspecified).
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, shared address space
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated), ::, ::1
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/32"),       // Teredo: tunnels to an arbitrary IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// Ranges that embed an IPv4 address, which is what they finally reach.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
)

// IsPublicAddr reports whether a is public unicast address space, the only
// kind the fetcher reaches when [Config.AllowPrivate] is false. IPv4-mapped
// IPv6 addresses are judged by their IPv4 address, and NAT64 and 6to4
// addresses by the IPv4 address they embed.
func IsPublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return IsPublicAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case nat64Local.Contains(a):
			// Local-use NAT64 may embed the IPv4 address anywhere.
			return false
		case sixToFour.Contains(a):
			return IsPublicAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return true
}

// resolveFunc resolves a host name to its addresses.
type resolveFunc func(ctx context.Context, host string) ([]netip.Addr, error)

// guard resolves targets and refuses non-public addresses.
type guard struct {
	allowPrivate bool
	resolve      resolveFunc
	// public classifies an address; tests replace it to treat one loopback
	// address as the public internet.
	public func(netip.Addr) bool
	dialer *net.Dialer
	// dial connects to a checked IP address; tests wrap it to prove that
	// nothing outside loopback is ever dialled.
	dial func(ctx context.Context, network, address string) (net.Conn, error)
}

func newGuard(allowPrivate bool, resolve resolveFunc, dialer net.Dialer) *guard {
	g := &guard{allowPrivate: allowPrivate, resolve: resolve, public: IsPublicAddr}
	if resolve == nil {
		g.resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	// Control sees the address actually being connected to, so it is the
	// last word whatever resolved it.
	dialer.Control = func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot parse dialled address %q", ErrBlockedAddress, address)
		}
		return g.check(ap.Addr())
	}
	g.dialer = &dialer
	g.dial = g.dialer.DialContext
	return g
}

// check refuses a non-public address unless private targets are allowed.
func (g *guard) check(a netip.Addr) error {
	if g.allowPrivate || g.public(a) {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrBlockedAddress, a)
}

// lookup resolves host and checks every address it has: a name that has any
// non-public address is refused as a whole.
func (g *guard) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if err := g.check(a); err != nil {
			return nil, err
		}
		return []netip.Addr{a}, nil
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	for _, a := range addrs {
		if err := g.check(a); err != nil {
			return nil, fmt.Errorf("%w (%s resolves to it)", err, host)
		}
	}
	return addrs, nil
}

// dialContext is the transport's dialer for direct connections: it resolves
// the host itself, checks every address, and dials the checked addresses
// only, so a DNS answer that changes between check and connect (rebinding)
// cannot slip through.
func (g *guard) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	addrs, err := g.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		conn, err := g.dial(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}
