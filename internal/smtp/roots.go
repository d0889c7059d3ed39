package smtp

import (
	"crypto/x509"
	"fmt"
	"os"
	"sync"
)

// RootsInBackground prepares the certificate roots off the start-up path.
// Parsing the system's root bundle takes tens of milliseconds, which a cold
// start would otherwise spend before it can even ask for its first event;
// here it runs in a goroutine while the runtime fetches that event, and the
// first TLS handshake waits for it only if it is not done yet.
//
// With file set, its PEM certificates are read and checked at once (a
// broken SMTP_CA_FILE still stops the start with a clear error) and added
// to the system roots in the background; set the result as
// Config.LazyRootCAs. With no file, the system roots crypto/x509 loads on
// first use are loaded now in the background, and nil is returned: TLS
// then uses them as usual.
func RootsInBackground(file string) (func() *x509.CertPool, error) {
	if file == "" {
		go func() { _, _ = x509.SystemCertPool() }() // fills crypto/x509's own cache
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("smtp: reading CA file: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp: CA file %s holds no PEM certificate", file)
	}
	var pool *x509.CertPool
	done := make(chan struct{})
	go func() {
		defer close(done)
		p, err := x509.SystemCertPool()
		if err != nil || p == nil {
			p = x509.NewCertPool()
		}
		p.AppendCertsFromPEM(pem)
		pool = p
	}()
	return sync.OnceValue(func() *x509.CertPool { <-done; return pool }), nil
}
