// Package faultsmtp is a scriptable SMTP server for fault tests: it speaks
// just enough submission SMTP (EHLO, STARTTLS, AUTH PLAIN/LOGIN, MAIL, RCPT,
// DATA, BDAT, RSET, NOOP, QUIT) to reach any stage, and at a chosen stage it
// answers with a scripted reply, says nothing, resets the connection, or
// sends garbage. It records whether credentials ever crossed a plaintext
// connection. A real server library cannot misbehave on demand, which is
// why this one exists; everything else uses package devsmtp.
package faultsmtp

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stage is a point of the conversation.
type Stage string

// The stages a fault can be placed at.
const (
	Greeting Stage = "greeting"
	EHLO     Stage = "EHLO"
	STARTTLS Stage = "STARTTLS"
	AUTH     Stage = "AUTH"
	MAIL     Stage = "MAIL"
	RCPT     Stage = "RCPT"
	DATA     Stage = "DATA"
	Content  Stage = "content"     // while the message is being transferred
	EndData  Stage = "end of data" // the verdict on the message (after the dot, or the LAST chunk)
	RSET     Stage = "RSET"
	BDAT     Stage = "BDAT" // the BDAT command, before its chunk is read
)

// Fault is what happens at a stage instead of the normal answer.
type Fault struct {
	Reply   string // a reply to send, e.g. "421 4.7.0 Try again later"
	Silence bool   // answer nothing, keep the connection open
	Reset   bool   // close the connection abruptly
	// Nth applies the fault only to the nth command of its stage on a
	// connection (RCPT: within a transaction; 1-based; 0 means every one),
	// e.g. the second RCPT.
	Nth int
}

// Options configure a Server.
type Options struct {
	TLS        *tls.Config // nil: STARTTLS is not offered
	Pipelining bool        // advertise PIPELINING
	Chunking   bool        // advertise CHUNKING and accept BDAT (RFC 3030)
	Faults     map[Stage]Fault
}

// Server is a running scripted server.
type Server struct {
	Port int

	opts      Options
	ln        net.Listener
	wg        sync.WaitGroup
	mu        sync.Mutex
	conns     map[net.Conn]bool
	closed    chan struct{}
	plainAuth atomic.Bool // AUTH arrived over plaintext
	auths     atomic.Int64
	mails     atomic.Int64
	messages  atomic.Int64
}

// Start listens on loopback.
func Start(o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, ln: ln, Port: ln.Addr().(*net.TCPAddr).Port, conns: map[net.Conn]bool{}, closed: make(chan struct{})}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Close stops the server and every connection.
func (s *Server) Close() {
	close(s.closed)
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// PlaintextAuth reports whether any AUTH command arrived before TLS.
func (s *Server) PlaintextAuth() bool { return s.plainAuth.Load() }

// Auths, Mails and Messages count AUTH commands, MAIL commands and
// accepted messages.
func (s *Server) Auths() int64    { return s.auths.Load() }
func (s *Server) Mails() int64    { return s.mails.Load() }
func (s *Server) Messages() int64 { return s.messages.Load() }

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

// conn is one conversation.
type conn struct {
	s      *Server
	c      net.Conn
	r      *bufio.Reader
	tls    bool
	counts map[Stage]int
	rcpts  int // recipients accepted in this transaction
}

// fault applies the scripted fault for st, if any, and reports whether it
// replaced the normal answer (false: carry on normally).
func (cn *conn) fault(st Stage) (handled, stop bool) {
	f, ok := cn.s.opts.Faults[st]
	cn.counts[st]++
	if !ok || (f.Nth != 0 && f.Nth != cn.counts[st]) {
		return false, false
	}
	switch {
	case f.Reset:
		if tc, ok := cn.c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		return true, true
	case f.Silence:
		select {
		case <-cn.s.closed:
		case <-time.After(time.Minute):
		}
		return true, true
	}
	cn.write(f.Reply)
	return true, strings.HasPrefix(f.Reply, "421")
}

// answer replies to a command at st: the scripted fault if there is one,
// normal otherwise. It reports whether the conversation goes on.
func (cn *conn) answer(st Stage, normal string) bool {
	handled, stop := cn.fault(st)
	if !handled {
		cn.write(normal)
	}
	return !stop
}

func (cn *conn) write(lines ...string) {
	for _, l := range lines {
		_, _ = cn.c.Write([]byte(l + "\r\n"))
	}
}

func (s *Server) serve(c net.Conn) {
	cn := &conn{s: s, c: c, r: bufio.NewReader(c), counts: map[Stage]int{}}
	if handled, stop := cn.fault(Greeting); stop {
		return
	} else if !handled {
		cn.write("220 faultsmtp ESMTP ready")
	}
	for {
		line, err := cn.r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			if handled, stop := cn.fault(EHLO); stop {
				return
			} else if handled {
				continue
			}
			caps := []string{"250-faultsmtp", "250-8BITMIME"}
			if s.opts.Pipelining {
				caps = append(caps, "250-PIPELINING")
			}
			if s.opts.Chunking {
				caps = append(caps, "250-CHUNKING")
			}
			if s.opts.TLS != nil && !cn.tls {
				caps = append(caps, "250-STARTTLS")
			}
			caps = append(caps, "250 AUTH PLAIN LOGIN")
			cn.write(caps...)
		case "STARTTLS":
			if handled, stop := cn.fault(STARTTLS); stop {
				return
			} else if handled {
				continue
			}
			if s.opts.TLS == nil || cn.tls {
				cn.write("502 5.5.1 not offered")
				continue
			}
			cn.write("220 2.0.0 Ready to start TLS")
			tc := tls.Server(c, s.opts.TLS)
			_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
			if err := tc.Handshake(); err != nil {
				return
			}
			_ = tc.SetDeadline(time.Time{})
			cn.c, cn.r, cn.tls = tc, bufio.NewReader(tc), true
		case "AUTH":
			s.auths.Add(1)
			if !cn.tls {
				s.plainAuth.Store(true)
			}
			if handled, stop := cn.fault(AUTH); stop {
				return
			} else if handled {
				continue
			}
			if strings.HasPrefix(strings.ToUpper(line), "AUTH LOGIN") {
				cn.write("334 VXNlcm5hbWU6")
				_, _ = cn.r.ReadString('\n')
				cn.write("334 UGFzc3dvcmQ6")
				_, _ = cn.r.ReadString('\n')
			}
			cn.write("235 2.7.0 Accepted")
		case "MAIL":
			s.mails.Add(1)
			cn.counts[RCPT] = 0 // Nth RCPT counts within a transaction
			cn.rcpts = 0
			if !cn.answer(MAIL, "250 2.1.0 OK") {
				return
			}
		case "RCPT":
			if handled, stop := cn.fault(RCPT); stop {
				return
			} else if !handled {
				cn.rcpts++
				cn.write("250 2.1.5 OK")
			}
		case "DATA":
			if handled, stop := cn.fault(DATA); stop {
				return
			} else if handled {
				continue
			}
			cn.write("354 Go ahead")
			if !cn.readContent() {
				return
			}
			if handled, stop := cn.fault(EndData); stop {
				return
			} else if !handled {
				s.messages.Add(1)
				cn.write("250 2.0.0 OK queued")
			}
		case "BDAT":
			if !cn.bdat(line) {
				return
			}
		case "RSET":
			cn.rcpts = 0
			if !cn.answer(RSET, "250 2.0.0 OK") {
				return
			}
		case "NOOP":
			cn.write("250 2.0.0 OK")
		case "QUIT":
			cn.write("221 2.0.0 Bye")
			return
		default:
			cn.write("502 5.5.2 unrecognized command")
		}
	}
}

// readContent reads the message to the lone dot; a Content fault strikes
// after the first line.
func (cn *conn) readContent() bool {
	first := true
	for {
		line, err := cn.r.ReadString('\n')
		if err != nil {
			return false
		}
		if first {
			first = false
			if handled, stop := cn.fault(Content); handled || stop {
				return false
			}
		}
		if line == ".\r\n" {
			return true
		}
	}
}
