package setupcli_test

import (
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/setupcli"
)

// section returns the lines of the "## title" section of the Markdown
// page at path (from the module root).
func section(t *testing.T, path, title string) []string {
	t.Helper()
	var out []string
	in := false
	for _, line := range strings.Split(fixture.Doc(t, path), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## "+title
		case in:
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no section %q", path, title)
	}
	return out
}

// TestTroubleshootingIsDocumented ensures docs/credentials.md's Troubleshooting table and the advice the command prints are the same rows, in the same order.
func TestTroubleshootingIsDocumented(t *testing.T) {
	var rows []string
	for _, line := range section(t, "docs/credentials.md", "Troubleshooting") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Gmail says") {
			rows = append(rows, line)
		}
	}
	var want []string
	for _, h := range setupcli.Troubleshooting {
		want = append(want, "| "+h.Says+" | `"+string(h.Code)+"` | "+h.Do+" |")
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("docs/credentials.md's Troubleshooting rows differ from setupcli.Troubleshooting; it has:\n%s\nthe command has:\n%s",
			strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}

// commandLines are the shell lines (in ```sh blocks, continuations joined)
// that run gmailsend in README.md and the English pages of docs/, in
// fixture.EnglishDocs' order (docs/credentials.md's put before
// docs/deploy.md's verify and send).
func commandLines(t *testing.T) []string {
	t.Helper()
	var out []string
	inBlock := false
	pending := ""
	for _, line := range strings.Split(fixture.EnglishDocs(t), "\n") {
		switch {
		case strings.HasPrefix(line, "```sh"):
			inBlock = true
			continue
		case strings.HasPrefix(line, "```"):
			inBlock = false
			continue
		case !inBlock:
			continue
		}
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line, pending = pending+line, ""
		if strings.HasPrefix(line, "gmailsend ") {
			out = append(out, line)
		}
	}
	return out
}

// words splits a shell line as sh would for these lines: '…' literal,
// "…" with $NAME expanded from vars, # starting a comment.
func words(line string, vars map[string]string) []string {
	var (
		out  []string
		cur  strings.Builder
		have bool
	)
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			cur.WriteString(line[i+1 : i+1+j])
			i, have = i+1+j, true
		case ch == '"':
			j := strings.IndexByte(line[i+1:], '"')
			quoted := line[i+1 : i+1+j]
			for k, v := range vars {
				quoted = strings.ReplaceAll(quoted, "$"+k, v)
			}
			cur.WriteString(quoted)
			i, have = i+1+j, true
		case ch == '#' && !have:
			return out
		case ch == ' ' || ch == '\t':
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(ch)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// TestDocCommandsRun ensures every gmailsend command in the English docs' code blocks runs successfully against the local stand-ins, in their order (the endpoint, key and client file pointed at them, the app password typed).
func TestDocCommandsRun(t *testing.T) {
	lines := commandLines(t)
	if len(lines) < 4 {
		t.Fatalf("the docs show %d gmailsend commands; expected at least put, verify, oauth login and send", len(lines))
	}
	users := map[string]string{}
	for _, l := range lines {
		w := words(l, nil)
		for i := range w {
			if w[i] == "--user" && i+1 < len(w) {
				users[w[i+1]] = fixture.Password
			}
		}
	}
	r := newRigWith(t, users)
	endpoint, secretFile := r.deployed(t), r.clientSecretFile(t)
	seen := map[string]bool{}
	for _, l := range lines {
		args := words(l, map[string]string{"KEY": apiKey})[1:]
		for i := 0; i+1 < len(args); i++ {
			switch args[i] {
			case "--endpoint":
				args[i+1] = endpoint
			case "--client-secret-file":
				args[i+1] = secretFile
			}
		}
		res := r.run(t, spacedPassword+"\n", args...)
		if res.code != setupcli.ExitOK {
			t.Fatalf("the docs' %q failed here (exit %d):\n%s", l, res.code, res.output())
		}
		seen[strings.Join(args[:min(2, len(args))], " ")] = true
	}
	for _, sub := range []string{"credentials put", "credentials verify", "oauth login"} {
		if !seen[sub] {
			t.Errorf("the docs run no %q", sub)
		}
	}
	if len(r.smtp.Messages()) == 0 {
		t.Error("the docs' send delivered nothing")
	}
}
