package setupcli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/gmailsend/gmailsend/internal/email"
)

// readPassword reads the app password: from the terminal without echo when
// stdin is one, else the first line of stdin (a pipe or a file), so
// `pass show gmail | gmailsend credentials put …` works. Never from a flag:
// flags end up in shell history and process lists.
func (c *command) readPassword(prompt string) (string, error) {
	var (
		raw string
		err error
	)
	switch f, ok := c.env.Stdin.(*os.File); {
	case c.env.ReadPassword != nil:
		raw, err = c.env.ReadPassword(prompt)
	case ok && term.IsTerminal(int(f.Fd())):
		fmt.Fprint(c.env.Stderr, prompt)
		var b []byte
		b, err = term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.env.Stderr)
		raw = string(b)
	case c.env.Stdin != nil:
		raw, err = firstLine(c.env.Stdin)
	default:
		err = errors.New("no standard input")
	}
	if err != nil {
		return "", fmt.Errorf("setupcli: reading the app password: %w", err)
	}
	p := email.NormalizePassword(strings.TrimSpace(raw))
	if p == "" {
		return "", email.Invalid("password", "no app password was given (type it at the prompt, or pipe it on stdin)")
	}
	return p, nil
}

// firstLine reads up to the first line break, bounded: an app password is
// 16 letters, and a runaway pipe must not fill memory.
func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
