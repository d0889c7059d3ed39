// Package mailpit runs Mailpit (github.com/axllent/mailpit), the mail
// catcher developers already use, as a local SMTP server the real function
// can deliver to: STARTTLS required, on a certificate of the local CA (so
// the function verifies it as it verifies Gmail's), AUTH with the local
// accounts. Its HTTP API reads the messages back, and its /view/ pages
// show them in a browser.
//
// It does not replace the development SMTP server (package devsmtp) where
// tests need that server's special powers: simulated round trips, faults,
// bounces into the local IMAP INBOX, counted commands.
package mailpit

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
)

// Options say where Mailpit listens and whom it lets in.
type Options struct {
	// Binary is the mailpit executable (Install puts one in
	// <root>/.local/bin).
	Binary string
	// Dir holds the certificate, key and password file Mailpit reads.
	Dir string
	// CA signs Mailpit's certificate; the function trusts it through
	// SMTP_CA_FILE.
	CA *devsmtp.CA
	// Users are the accounts AUTH accepts (address → password).
	Users map[string]string
	// SMTPAddr and HTTPAddr default to 127.0.0.1 on free ports.
	SMTPAddr, HTTPAddr string
	// Hosts the certificate is valid for, besides localhost and the
	// loopback addresses (host.docker.internal for sam local invoke).
	Hosts []string
	// Log gets Mailpit's own output; nil discards it.
	Log io.Writer
}

// Server is a running Mailpit.
type Server struct {
	SMTPAddr string
	// URL is its web address (http://host:port), the root of its API and
	// /view/ pages.
	URL string
	cmd *exec.Cmd
}

// Start starts Mailpit and waits until its API answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	cert, key, err := writeLeaf(o)
	if err != nil {
		return nil, err
	}
	auth := filepath.Join(o.Dir, "smtp-auth")
	users := make([]string, 0, len(o.Users))
	for u, p := range o.Users {
		users = append(users, u+":"+p)
	}
	sort.Strings(users)
	if err := os.WriteFile(auth, []byte(strings.Join(users, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	smtpAddr, httpAddr := o.SMTPAddr, o.HTTPAddr
	for _, a := range []*string{&smtpAddr, &httpAddr} {
		if *a == "" {
			if *a, err = freeAddr(); err != nil {
				return nil, err
			}
		}
	}
	cmd := exec.Command(o.Binary,
		"--smtp", smtpAddr, "--listen", httpAddr,
		"--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-starttls",
		"--smtp-auth-file", auth, "--smtp-disable-rdns",
		"--database", filepath.Join(o.Dir, "mailpit.db"),
		"--disable-version-check")
	cmd.Stdout, cmd.Stderr = o.Log, o.Log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("mailpit: %w", err)
	}
	s := &Server{SMTPAddr: smtpAddr, URL: "http://" + httpAddr, cmd: cmd}
	if err := s.waitReady(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// SMTPPort is the port the function's SMTP_PORT names.
func (s *Server) SMTPPort() int {
	_, p, _ := net.SplitHostPort(s.SMTPAddr)
	n, _ := strconv.Atoi(p)
	return n
}

func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/api/v1/info")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if c, err := net.DialTimeout("tcp", s.SMTPAddr, time.Second); err == nil {
					c.Close()
					return nil
				}
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("mailpit: did not answer within 20s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Close stops Mailpit.
func (s *Server) Close() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// writeLeaf writes a certificate of the CA for Mailpit and its key.
func writeLeaf(o Options) (certFile, keyFile string, err error) {
	leaf, err := o.CA.Leaf(devsmtp.LeafOptions{Hosts: append([]string{"localhost", "127.0.0.1", "::1"}, o.Hosts...)})
	if err != nil {
		return "", "", err
	}
	var chain []byte
	for _, der := range leaf.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	key, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		return "", "", err
	}
	certFile, keyFile = filepath.Join(o.Dir, "cert.pem"), filepath.Join(o.Dir, "key.pem")
	if err := os.WriteFile(certFile, chain, 0o644); err != nil {
		return "", "", err
	}
	return certFile, keyFile, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
