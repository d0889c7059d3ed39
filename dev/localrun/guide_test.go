package main

import (
	"context"
	"io"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend/dev/devoauth"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// shellWords splits a line as sh would for the quoting serveGuide uses
// (single and double quotes, no expansions), dropping a trailing comment.
func shellWords(line string) []string {
	var (
		words []string
		cur   strings.Builder
		quote rune
		in    bool
	)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == '#' && !in:
			return words
		case r == ' ':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// TestServeGuideLinesRun ensures the gmailsend lines `make serve` prints work as pasted, in order: the export points the AWS SDK's standard chain at the local Secrets Manager, credentials put stores a verified app password, verify passes, oauth login signs in at the local OAuth server and stores a refresh token, and send delivers through the local endpoint with the stored credential.
func TestServeGuideLinesRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: t.TempDir()}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := httptest.NewServer(apiHandler(l, 30*time.Second, io.Discard))
	defer srv.Close()
	guide := serveGuide(l, srv.URL)
	lines := gmailsendLines(l, srv.URL)
	for _, line := range lines {
		if !strings.Contains(guide, "  "+line+"\n") {
			t.Fatalf("the guide does not print %q:\n%s", line, guide)
		}
	}
	// Only what the export sets reaches the SDK: no profile or file of
	// this machine.
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, line := range lines {
		words := shellWords(line)
		if words[0] == "export" {
			for _, kv := range words[1:] {
				k, v, _ := strings.Cut(kv, "=")
				t.Setenv(k, v)
			}
			continue
		}
		stdin := ""
		if words[0] == "printf" {
			pipe := 0
			for pipe < len(words) && words[pipe] != "|" {
				pipe++
			}
			stdin, words = words[2]+"\n", words[pipe+1:]
		}
		if strings.Join(words[:3], " ") != "go run ./cmd/gmailsend" {
			t.Fatalf("not a gmailsend line: %q", line)
		}
		var out, errOut strings.Builder
		env := setupcli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" },
			OpenBrowser: devoauth.Consent}
		if code := setupcli.Run(ctx, words[3:], env); code != setupcli.ExitOK {
			t.Fatalf("%s\nexit %d:\n%s%s", line, code, out.String(), errOut.String())
		}
	}
	for _, name := range []string{"gmailsend/test-desk", "gmailsend/test-oauth"} {
		if _, ok := l.stack.Secrets.Get(name); !ok {
			t.Errorf("%s was not stored", name)
		}
	}
	msgs := l.stack.SMTP.Messages()
	if len(msgs) != 1 || msgs[0].From != "sender@gmail.com" {
		t.Fatalf("delivered %d messages: %+v", len(msgs), msgs)
	}
}

// TestDocShowsTheGuideLines ensures docs/credentials.md's local try of the gmailsend command is, line for line, what make serve prints (ports shown as <port>).
func TestDocShowsTheGuideLines(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := startBuilt(ctx, bootstrap(t), devstack.Options{Dir: ".local-guide-test"}, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { l.Close(); os.RemoveAll(".local-guide-test") }()
	doc := fixture.Doc(t, "docs/credentials.md")
	ports := regexp.MustCompile(`127\.0\.0\.1:\d+|--smtp-port \d+`)
	for _, line := range gmailsendLines(l, "http://127.0.0.1:3000") {
		line = ports.ReplaceAllStringFunc(line, func(m string) string {
			if m == "127.0.0.1:3000" {
				return m
			}
			if strings.HasPrefix(m, "--smtp-port") {
				return "--smtp-port <port>"
			}
			return "127.0.0.1:<port>"
		})
		line = strings.ReplaceAll(line, ".local-guide-test/", ".local/")
		if !strings.Contains(doc, "\n"+line+"\n") {
			t.Errorf("docs/credentials.md does not show the line make serve prints:\n%s", line)
		}
	}
}
