package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"
)

// Config says where and how to connect. The zero value of each field but
// Host and Port has a sensible default (see withDefaults).
type Config struct {
	Host string
	Port int
	// ImplicitTLS speaks TLS from the first byte (port 465) instead of
	// upgrading with STARTTLS; New sets it for port 465.
	ImplicitTLS bool
	// RootCAs verifies the server; nil means the system roots.
	RootCAs *x509.CertPool
	// LazyRootCAs, when set, supplies the roots instead, on the first
	// handshake (RootsInBackground), so building them is off the start-up
	// path.
	LazyRootCAs func() *x509.CertPool
	// HeloName is the name sent in EHLO; default "localhost".
	HeloName string
	// SafetyMargin is kept back from the context deadline so the function
	// can still answer with a timeout error before Lambda stops it.
	SafetyMargin time.Duration
	// IdleTimeout closes a kept session unused for this long (Gmail drops
	// idle sessions after a few minutes). Zero turns session reuse off.
	IdleTimeout time.Duration
	// MaxIdlePerKey bounds kept sessions per server and credential.
	MaxIdlePerKey int
	// DisablePipelining sends one command per round trip even when the
	// server advertises PIPELINING (for measurements and odd servers).
	DisablePipelining bool
	// DisableChunking sends every message with DATA even when the server
	// advertises CHUNKING (RFC 3030 BDAT) and PIPELINING.
	DisableChunking bool
	// ReuseCheckTimeout bounds the first reply of a kept session (never
	// past the invocation's deadline): a connection a middlebox forgot
	// answers nothing, and waiting for it would cost the whole invocation
	// although a new connection works at once. Default 3s.
	ReuseCheckTimeout time.Duration
}

// DefaultConfig is Gmail's submission server.
func DefaultConfig() Config {
	return Config{
		Host:          "smtp.gmail.com",
		Port:          587,
		HeloName:      "localhost",
		SafetyMargin:  500 * time.Millisecond,
		IdleTimeout:   60 * time.Second,
		MaxIdlePerKey: 2,
		// Gmail answers RSET in tens of milliseconds; a few seconds
		// tolerate a slow network and still leave most of a 30 s
		// invocation for a new connection.
		ReuseCheckTimeout: 3 * time.Second,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.HeloName == "" {
		c.HeloName = d.HeloName
	}
	if c.MaxIdlePerKey <= 0 {
		c.MaxIdlePerKey = d.MaxIdlePerKey
	}
	if c.ReuseCheckTimeout <= 0 {
		c.ReuseCheckTimeout = d.ReuseCheckTimeout
	}
	return c
}

func (c Config) implicitTLS() bool { return c.ImplicitTLS || c.Port == 465 }

func (c Config) address() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

func (c Config) tlsConfig() *tls.Config {
	roots := c.RootCAs
	if c.LazyRootCAs != nil {
		roots = c.LazyRootCAs()
	}
	return &tls.Config{
		ServerName: c.Host,
		RootCAs:    roots,
		MinVersion: tls.VersionTLS12,
	}
}

// LoadRootCAs returns the system roots plus the PEM certificates in file,
// for local servers and tests (SMTP_CA_FILE).
func LoadRootCAs(file string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("smtp: reading CA file: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp: CA file %s holds no PEM certificate", file)
	}
	return pool, nil
}
