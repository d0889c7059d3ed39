package devsmtp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// saveEML writes a delivered message to dir as <UTC second>-<n>.eml and
// returns its path. The file is created exclusively and n moves on past
// any name already taken, so runs in the same second (two `make run`s,
// a test and a run) never overwrite each other's messages.
func saveEML(dir string, data []byte, now time.Time, next func() int64) (string, error) {
	stamp := now.UTC().Format("20060102T150405Z")
	for tries := 0; tries < 10000; tries++ {
		path := filepath.Join(dir, fmt.Sprintf("%s-%04d.eml", stamp, next()))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return "", err
		}
		return path, f.Close()
	}
	return "", fmt.Errorf("devsmtp: no free .eml name in %s for %s", dir, stamp)
}
