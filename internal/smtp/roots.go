package smtp

import (
	"crypto/x509"
	"fmt"
	"os"
)

// RootsInBackground prepares the certificate roots off the start-up path.
// Parsing the system's root bundle takes tens of milliseconds, which a cold
// start would otherwise spend before it can even ask for its first event;
// here it runs in a goroutine while the runtime fetches that event, and the
// first TLS handshake waits for it only if it is not done yet.
//
// With file set, its PEM certificates are read and checked at once (a
// broken SMTP_CA_FILE still stops the start with a clear error) and added
// to the system roots in the background. With no file, the system roots
// crypto/x509 loads on first use are loaded now, in the background, and
// Pool answers nil: TLS then uses them as usual. Set Pool as
// Config.LazyRootCAs either way.
func RootsInBackground(file string) (*BackgroundRoots, error) {
	r := &BackgroundRoots{done: make(chan struct{})}
	if file == "" {
		go func() {
			defer close(r.done)
			_, _ = x509.SystemCertPool() // fills crypto/x509's own cache
		}()
		return r, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("smtp: reading CA file: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp: CA file %s holds no PEM certificate", file)
	}
	go func() {
		defer close(r.done)
		p, err := x509.SystemCertPool()
		if err != nil || p == nil {
			p = x509.NewCertPool()
		}
		p.AppendCertsFromPEM(pem)
		r.pool = p
	}()
	return r, nil
}

// BackgroundRoots are certificate roots being parsed in the background.
type BackgroundRoots struct {
	done chan struct{}
	pool *x509.CertPool
}

// Done is closed when the roots are ready.
func (r *BackgroundRoots) Done() <-chan struct{} { return r.done }

// Pool waits for the roots: the system's with the CA file's added, or nil
// (the system's, as TLS loads them itself) without a file.
func (r *BackgroundRoots) Pool() *x509.CertPool {
	<-r.done
	return r.pool
}
