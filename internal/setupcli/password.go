package setupcli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/gmailsend/gmailsend"
)

// readPassword reads the app password: from the terminal without echo when
// stdin is one, else the first line of stdin (a pipe or a file), so
// `pass show gmail | gmailsend credentials put …` works. Never from a flag:
// flags end up in shell history and process lists.
func (c *command) readPassword(ctx context.Context, prompt string) (string, error) {
	var (
		raw string
		err error
	)
	switch f, ok := c.env.Stdin.(*os.File); {
	case c.env.ReadPassword != nil:
		raw, err = c.env.ReadPassword(prompt)
	case ok && term.IsTerminal(int(f.Fd())):
		fmt.Fprint(c.env.Stderr, prompt)
		raw, err = readHidden(ctx, int(f.Fd()))
		fmt.Fprintln(c.env.Stderr)
	case c.env.Stdin != nil:
		raw, err = firstLine(c.env.Stdin)
	default:
		err = errors.New("no standard input")
	}
	if err != nil {
		return "", fmt.Errorf("setupcli: reading the app password: %w", err)
	}
	p := gmailsend.NormalizePassword(strings.TrimSpace(raw))
	if p == "" {
		return "", gmailsend.Invalid("password", "no app password was given (type it at the prompt, or pipe it on stdin)")
	}
	return p, nil
}

// readHidden reads a line from the terminal fd with echo off. Ctrl-C
// (ctx cancelled by main's signal handler) restores echo before returning:
// term.ReadPassword alone would leave the user's terminal silent.
func readHidden(ctx context.Context, fd int) (string, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return "", err
	}
	type line struct {
		b   []byte
		err error
	}
	got := make(chan line, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		got <- line{b, err}
	}()
	select {
	case l := <-got:
		return string(l.b), l.err
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		return "", errors.New("interrupted")
	}
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
