package devstack

import (
	"fmt"
	"sort"
	"strings"
)

// StoredCredentials are the credentials Start stores in the local Secrets
// Manager (name without the gmailsend/ prefix → what it holds).
var StoredCredentials = map[string]string{
	"support-desk": "support@gmail.com, app password",
	"oauth-desk":   OAuthUser + ", OAuth refresh token",
	TeamCredential: "support@gmail.com, app password; allowedCallers: " + APIKeys[0].ID + " (x-api-key " + APIKeys[0].Value + ")",
}

// LoginHint explains, after a local login failed, which accounts the
// development SMTP server knows: a request with the user's own address or
// real app password fails locally, which is not what it would do at Gmail.
func LoginHint() string {
	var b strings.Builder
	b.WriteString("The development SMTP server only knows these accounts (none is a real Gmail account):\n")
	users := make([]string, 0, len(Accounts))
	for u := range Accounts {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		fmt.Fprintf(&b, "  %-20s password %q\n", u, Accounts[u])
	}
	fmt.Fprintf(&b, "  %-20s OAuth only (through the stored credential oauth-desk)\n", OAuthUser)
	b.WriteString("and these stored credentials (\"credential\": NAME):\n")
	names := make([]string, 0, len(StoredCredentials))
	for n := range StoredCredentials {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-20s %s\n", n, StoredCredentials[n])
	}
	b.WriteString("To send for real through Gmail, add -smtp smtp.gmail.com:587 (go run ./dev/localrun run -smtp smtp.gmail.com:587 -event my-request.json).\n")
	return b.String()
}

// IsLoginFailure reports whether a function's output (response, function
// error type, log) shows a refused login or an unknown stored credential.
func IsLoginFailure(output string) bool {
	return strings.Contains(output, "smtp_auth_failed") || strings.Contains(output, "credential_not_found")
}
