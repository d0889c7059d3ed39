// Package postfix runs a throwaway Postfix, a real MTA, on a loopback port:
// submission with STARTTLS (a certificate from a generated CA) and SASL
// AUTH through Dovecot, configured and started by postfix.sh under a
// temporary directory, from Debian's postfix and dovecot-core packages
// (installed by the script when absent, as root). Tests and `make bench`
// use it beside the development server, so that a protocol change is
// measured against a server the project did not write.
//
// It needs root (Postfix's daemons change user); elsewhere Start returns
// ErrUnavailable and StartTest skips, or fails under CI=true.
package postfix

import (
	"bufio"
	"context"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// The account Postfix knows, the same as the development server's first
// one, so requests written for one work on the other.
const (
	User     = "sender@gmail.com"
	Password = "abcdefghijklmnop"
)

// RefusedRecipient is the one address of the mail domain (example.com) that
// Postfix refuses: 550 5.1.1, user unknown in its mailbox table.
const RefusedRecipient = "nosuchuser@example.com"

// ErrUnavailable is returned when Postfix cannot run on this machine (not
// root, or not installed and not installable).
var ErrUnavailable = errors.New("postfix: unavailable")

//go:embed postfix.sh
var script []byte

// Options shape a server.
type Options struct {
	// Discard accepts mail and drops it instead of delivering it to the
	// maildir (benchmarks: the queue is written, no mailbox).
	Discard bool
}

// Server is a running Postfix.
type Server struct {
	Host   string // 127.0.0.1
	Port   int
	CA     *devsmtp.CA
	CAFile string // the CA's PEM, for SMTP_CA_FILE
	Dir    string // everything of this instance; logs in maillog and dovecot.log

	closeOnce sync.Once
	closeErr  error
}

// Start configures and starts Postfix and Dovecot under a new temporary
// directory and waits for the submission port's greeting.
func Start(ctx context.Context, o Options) (*Server, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("%w: Postfix needs root (its daemons change user)", ErrUnavailable)
	}
	dir, err := os.MkdirTemp("", "gmailsend-postfix-")
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", Dir: dir, CAFile: filepath.Join(dir, "ca.pem")}
	if err := s.writeCertificates(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "postfix.sh"), script, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	mode := "deliver"
	if o.Discard {
		mode = "discard"
	}
	// A port the kernel just handed out and took back; another process
	// taking it in between makes the start fail, and it is tried again.
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			break
		}
		if err = s.run(ctx, "start", dir, strconv.Itoa(s.Port), User, Password, mode); err == nil {
			err = s.awaitGreeting(ctx)
		}
		if err == nil || errors.Is(err, ErrUnavailable) || attempt == 2 {
			break
		}
		_ = s.run(context.Background(), "stop", dir)
	}
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			_ = s.run(context.Background(), "stop", dir)
			err = fmt.Errorf("%w\n%s", err, s.logTail())
		}
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// Addr is host:port of the submission service.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Close stops both daemons and removes the directory; closing again does
// nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.run(context.Background(), "stop", s.Dir)
		if err := os.RemoveAll(s.Dir); s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

// Messages are the messages delivered to the maildir so far, in the order
// they were delivered.
func (s *Server) Messages() ([][]byte, error) {
	newDir := filepath.Join(s.Dir, "mail", "inbox", "new")
	entries, err := os.ReadDir(newDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type file struct {
		name string
		at   time.Time
	}
	var files []file
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		files = append(files, file{e.Name(), info.ModTime()})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].at.Before(files[j].at) })
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(newDir, f.name))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// AwaitMessages waits until n messages have been delivered: Postfix answers
// 250 once the message is queued, and delivers it a moment later.
func (s *Server) AwaitMessages(ctx context.Context, n int) ([][]byte, error) {
	for {
		msgs, err := s.Messages()
		if err != nil || len(msgs) >= n {
			return msgs, err
		}
		select {
		case <-ctx.Done():
			return msgs, fmt.Errorf("postfix: %d of %d messages delivered: %w\n%s", len(msgs), n, ctx.Err(), s.logTail())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// run runs postfix.sh; its exit status 3 means it cannot run here.
func (s *Server) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(s.Dir, "postfix.sh"), args...)
	cmd.WaitDelay = 5 * time.Second // a daemon holding the output open must not hang the caller
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return fmt.Errorf("%w: %s", ErrUnavailable, strings.TrimSpace(lastLine(string(out))))
	}
	if err != nil {
		return fmt.Errorf("postfix: postfix.sh %s: %v: %s", args[0], err, out)
	}
	return nil
}

// awaitGreeting dials until the service sends its 220 greeting.
func (s *Server) awaitGreeting(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", s.Addr())
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if rerr == nil && strings.HasPrefix(line, "220") {
				return nil
			}
			err = fmt.Errorf("greeting %q: %v", line, rerr)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("postfix: no greeting on %s: %v", s.Addr(), last)
}

// writeCertificates generates the CA and the server's key and chain.
func (s *Server) writeCertificates() error {
	ca, err := devsmtp.NewCA()
	if err != nil {
		return err
	}
	leaf, err := ca.Leaf(devsmtp.LeafOptions{Hosts: []string{"127.0.0.1", "localhost"}})
	if err != nil {
		return err
	}
	key, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		return err
	}
	var chain []byte
	for _, der := range leaf.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	s.CA = ca
	for name, b := range map[string][]byte{
		"ca.pem": ca.PEM, "cert.pem": chain,
		"key.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}),
	} {
		if err := os.WriteFile(filepath.Join(s.Dir, name), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// logTail is the end of both logs, for failures.
func (s *Server) logTail() string {
	var b strings.Builder
	for _, name := range []string{"maillog", "dovecot.log"} {
		data, _ := os.ReadFile(filepath.Join(s.Dir, name))
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		b.WriteString("--- " + name + "\n" + strings.Join(lines[max(0, len(lines)-15):], "\n") + "\n")
	}
	return b.String()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}
