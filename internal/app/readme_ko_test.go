package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/fixture"
)

func koreanReadme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture.ModuleRoot(t), "docs", "README.ko.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shellCommands are the commands in a document's ```sh blocks, with
// continuation lines joined and comments dropped.
func shellCommands(doc string) []string {
	var out []string
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		joined := strings.ReplaceAll(block[1], "\\\n", "")
		for _, line := range strings.Split(joined, "\n") {
			if cmd, _, _ := strings.Cut(line, "#"); strings.TrimSpace(cmd) != "" && !strings.HasPrefix(strings.TrimSpace(line), "#") {
				out = append(out, strings.Join(strings.Fields(cmd), " "))
			}
		}
	}
	return out
}

// TestKoreanQuickStartInStep ensures every command in docs/README.ko.md is, word for word, a command of README.md or an English page of docs/ (so the tested English walkthrough covers it).
func TestKoreanQuickStartInStep(t *testing.T) {
	english := map[string]bool{}
	for _, c := range shellCommands(fixture.EnglishDocs(t)) {
		english[c] = true
	}
	ko := shellCommands(koreanReadme(t))
	if len(ko) < 10 {
		t.Fatalf("the Korean quick start shows only %d commands", len(ko))
	}
	for _, c := range ko {
		if !english[c] {
			t.Errorf("docs/README.ko.md runs a command no English page shows: %s", c)
		}
	}
}

// TestLocalAccountsDocumented ensures docs/local.md and the Korean quick start list exactly the development server's accounts and the stored credentials make run provides.
func TestLocalAccountsDocumented(t *testing.T) {
	var rows []string
	for user, pw := range devstack.Accounts {
		cred := "—"
		for name, holds := range devstack.StoredCredentials {
			if holds == user+", app password" {
				cred = "`" + name + "` (app password)"
			}
		}
		rows = append(rows, "| `"+user+"` | `"+pw+"` | "+cred+" |")
	}
	rows = append(rows, "| `"+devstack.OAuthUser+"` | — | `oauth-desk` (OAuth refresh token) |")
	for name, doc := range map[string]string{"docs/local.md": readDoc(t, "docs/local.md"), "docs/README.ko.md": koreanReadme(t)} {
		for _, row := range rows {
			if !strings.Contains(doc, row) {
				t.Errorf("%s lacks the local account row %s", name, row)
			}
		}
		if n := strings.Count(doc, "@gmail.com` | `") + strings.Count(doc, "@gmail.com` | — |"); n != len(rows) {
			t.Errorf("%s lists %d local accounts, the server knows %d", name, n, len(rows))
		}
	}
}

// TestKoreanPageCoversTheEssentials ensures the Korean quick start names what a first user needs beyond the English walkthrough's commands: make help, oauth login, removing the secrets and the kept table, and CI=true.
func TestKoreanPageCoversTheEssentials(t *testing.T) {
	ko := koreanReadme(t)
	for _, want := range []string{"make help", "gmailsend oauth login", "aws secretsmanager delete-secret", "aws dynamodb delete-table", "DeletionPolicy: Retain", "CI=true", "go install ./cmd/gmailsend", "AlarmEmail", "BounceCredentials"} {
		if !strings.Contains(ko, want) {
			t.Errorf("docs/README.ko.md lacks %q", want)
		}
	}
}
