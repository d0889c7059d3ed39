package smtp

import (
	"context"
)

// VerifyLogin proves that creds can log in to the server and sends nothing:
// it connects, says EHLO, upgrades with STARTTLS (or speaks implicit TLS),
// authenticates, and says QUIT. It runs exactly the steps a send runs before
// MAIL FROM (the same dial), so a failure carries the same code and message
// a send would get: smtp_auth_failed with Google's app-password hint,
// tls_required, timeout, …
//
// The session is never kept: a setup tool checks a credential once.
func VerifyLogin(ctx context.Context, cfg Config, creds Credentials) error {
	s, err := dial(ctx, cfg.withDefaults(), "", creds)
	if err != nil {
		return err
	}
	s.unbind()
	// AUTH was accepted, which is all a verification asks; how the server
	// answers QUIT says nothing about the credential, so it is not waited
	// for (session.close bounds it by a second).
	s.close()
	return nil
}
