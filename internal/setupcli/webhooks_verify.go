package setupcli

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/internal/standardwebhooks"
)

// maxVerifyBody bounds the payload read from stdin: far above any event
// gmailsend sends, low enough that a wrong redirect cannot fill memory.
const maxVerifyBody = 16 << 20

// webhooksVerify is `gmailsend webhooks verify`: the check a receiver makes
// (standardwebhooks.Verify, the same code the deliverer signs against), on
// a body from stdin and headers from flags or a file. It talks to nothing.
// Exit 0 and "valid", or exit 1 with the code; a wrong command line is 2.
func (c *command) webhooksVerify(args []string) error {
	var secrets listFlag
	fs := c.webhookFlagSet("verify")
	fs.Var(&secrets, "secret", "a signing secret, whsec_…; repeat it (or comma-separate) to accept any of several, as during a rotation (env GMAILSEND_WEBHOOK_SECRET, which keeps it off the command line)")
	id := fs.String("id", "", "the webhook-id header")
	timestamp := fs.String("timestamp", "", "the webhook-timestamp header (unix seconds)")
	signature := fs.String("signature", "", "the webhook-signature header (v1,<base64> entries, space-separated)")
	headerFile := fs.String("header-file", "", "a file of the request's raw headers (\"Name: value\" lines, an optional request line first), instead of --id, --timestamp, --signature")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 0 {
		return usagef("webhooks verify takes no arguments, got %q (the body comes on stdin)", positional[0])
	}
	if len(secrets) == 0 {
		_ = secrets.Set(c.env.Getenv("GMAILSEND_WEBHOOK_SECRET"))
	}
	if err := checkSecrets(secrets); err != nil {
		return err
	}
	header, err := verifyHeader(*headerFile, *id, *timestamp, *signature)
	if err != nil {
		return err
	}
	if c.env.Stdin == nil {
		return usagef("no stdin to read the body from")
	}
	body, err := io.ReadAll(io.LimitReader(c.env.Stdin, maxVerifyBody+1))
	switch {
	case err != nil:
		return usagef("reading the body from stdin: %v", err)
	case len(body) > maxVerifyBody:
		return usagef("the body on stdin is over %d MiB", maxVerifyBody>>20)
	}
	now := time.Now()
	err = standardwebhooks.Verify(secrets, header, body, now)
	if err == nil {
		c.printf("valid\n")
		return nil
	}
	if trimmed, ok := bytes.CutSuffix(body, []byte("\n")); ok && standardwebhooks.Verify(secrets, header, trimmed, now) == nil {
		// The commonest mistake: echo, or an editor, added a final newline
		// the signed body did not have. Still invalid: the bytes differ.
		c.notef("note: the signature matches this body without its final newline; pass the body byte for byte (printf '%%s' … or a file saved from the request, not echo)\n")
	}
	var we *standardwebhooks.Error
	if !errors.As(err, &we) {
		return err
	}
	return &codedError{code: string(we.Code), message: we.Message}
}

// checkSecrets refuses a missing or malformed secret as a wrong command
// line, naming it by position: its text is never repeated.
func checkSecrets(secrets []string) error {
	if len(secrets) == 0 {
		return usagef("--secret whsec_… is required (the endpoint's signing secret from webhooks add or rotate; or set GMAILSEND_WEBHOOK_SECRET)")
	}
	for i, s := range secrets {
		if _, err := standardwebhooks.ParseSecret(s); err != nil {
			var we *standardwebhooks.Error
			if errors.As(err, &we) {
				return usagef("secret %d of %d: %s", i+1, len(secrets), we.Message)
			}
			return usagef("secret %d of %d is not a signing secret", i+1, len(secrets))
		}
	}
	return nil
}

// verifyHeader is the three headers from the flags, all required, or from
// --header-file alone, where a missing header is the receiver's failure
// (webhook_missing_header) rather than a wrong command line.
func verifyHeader(file, id, timestamp, signature string) (http.Header, error) {
	if file != "" {
		if id != "" || timestamp != "" || signature != "" {
			return nil, usagef("--header-file replaces --id, --timestamp and --signature: give one or the other")
		}
		return readHeaderFile(file)
	}
	for _, f := range [...]struct{ flag, value, header string }{
		{"--id", id, standardwebhooks.HeaderID}, {"--timestamp", timestamp, standardwebhooks.HeaderTimestamp},
		{"--signature", signature, standardwebhooks.HeaderSignature},
	} {
		if f.value == "" {
			return nil, usagef("%s is required (the request's %s header), or pass --header-file", f.flag, f.header)
		}
	}
	h := http.Header{}
	h.Set(standardwebhooks.HeaderID, id)
	h.Set(standardwebhooks.HeaderTimestamp, timestamp)
	h.Set(standardwebhooks.HeaderSignature, signature)
	return h, nil
}

// readHeaderFile reads raw HTTP headers as a request capture shows them:
// an optional request line ("POST /hook HTTP/1.1"), then "Name: value"
// lines up to a blank line or the end. A body after the blank line is
// refused rather than ignored: the body to check comes on stdin, and
// silently checking another one would say "valid" about the wrong bytes.
func readHeaderFile(path string) (http.Header, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--header-file: %v", err)
	}
	h := http.Header{}
	lines := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n")
	for n, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		if n == 0 && strings.Contains(line, " HTTP/") && (!ok || strings.ContainsAny(name, " \t")) {
			continue // the request line: a header's name has no spaces
		}
		if strings.TrimSpace(line) == "" {
			if strings.TrimSpace(strings.Join(lines[n:], "")) != "" {
				return nil, usagef("--header-file %s has content after the headers' blank line: keep only the headers there and pass the body on stdin", path)
			}
			break
		}
		if !ok || strings.TrimSpace(name) == "" {
			return nil, usagef("--header-file %s line %d is not \"Name: value\"", path, n+1)
		}
		h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return h, nil
}
