package benchmark

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where a run happened.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	version := func(name string, args ...string) string {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			return name + " absent"
		}
		return name + " " + strings.TrimSpace(string(out))
	}
	return strings.Join([]string{
		cpu, strconv.Itoa(runtime.NumCPU()) + " cores", runtime.GOOS + "/" + runtime.GOARCH,
		runtime.Version(), version("node", "--version"), version("python3", "--version"),
	}, ", ")
}
