// Package blackhole is a TCP proxy for tests that can make the network
// forget a connection: after SwallowOpen, every connection open at that
// moment keeps both its ends open but carries nothing more in either
// direction, as when a NAT gateway or firewall drops an idle flow without
// a FIN or RST. Connections made later pass normally.
//
// It exists because nothing on loopback behaves that way by itself: a
// closed socket or a stopped server always answers with FIN or RST.
package blackhole

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Proxy forwards connections on Addr to a target address.
type Proxy struct {
	Addr string
	Port int

	target string
	ln     net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	links  map[*link]bool
}

// link is one proxied connection.
type link struct {
	client, server net.Conn
	swallowed      atomic.Bool
	pumps          atomic.Int32 // running pumps; the link is forgotten when none is left
}

// Start listens on loopback and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, links: map[*link]bool{},
		Addr: ln.Addr().String(), Port: ln.Addr().(*net.TCPAddr).Port}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// SwallowOpen makes every connection open now go silent both ways, for
// good, without closing either end. It returns how many it swallowed.
func (p *Proxy) SwallowOpen() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.links {
		l.swallowed.Store(true)
	}
	return len(p.links)
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for l := range p.links {
		_ = l.client.Close()
		_ = l.server.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		l := &link{client: c, server: s}
		p.mu.Lock()
		p.links[l] = true
		p.mu.Unlock()
		p.wg.Add(2)
		l.pumps.Store(2)
		go p.pump(l, s, c)
		go p.pump(l, c, s)
	}
}

// pump copies src to dst until either closes; once the link is swallowed
// it keeps reading src (so the sender's writes succeed, as they would into
// a network that drops them) and forwards nothing.
func (p *Proxy) pump(l *link, dst, src net.Conn) {
	defer p.wg.Done()
	defer p.forget(l)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !l.swallowed.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF || !l.swallowed.Load() {
				_ = dst.Close()
			}
			return
		}
	}
}

func (p *Proxy) forget(l *link) {
	if l.pumps.Add(-1) > 0 {
		return
	}
	_ = l.client.Close()
	_ = l.server.Close()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}
