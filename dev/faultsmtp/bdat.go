package faultsmtp

import (
	"io"
	"strconv"
	"strings"
)

// bdat answers "BDAT <size> [LAST]" (RFC 3030) and reports whether the
// conversation goes on. The chunk follows the command whatever the answer,
// so a refused command still has its chunk read and discarded. A BDAT fault
// strikes at the command, a Content fault after the first bytes of a chunk,
// an EndData fault in place of the verdict on the LAST chunk.
func (cn *conn) bdat(line string) bool {
	if !cn.s.opts.Chunking {
		cn.write("502 5.5.1 BDAT not offered")
		return true
	}
	args := strings.Fields(line)[1:]
	if len(args) == 0 || len(args) > 2 {
		cn.write("501 5.5.4 malformed BDAT")
		return false
	}
	size, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || size < 0 {
		cn.write("501 5.5.4 malformed BDAT")
		return false
	}
	last := len(args) == 2 && strings.EqualFold(args[1], "LAST")
	if handled, stop := cn.fault(BDAT); stop {
		return false
	} else if handled {
		_, err := io.CopyN(io.Discard, cn.r, size)
		return err == nil
	}
	head := min(size, 16)
	if _, err := io.CopyN(io.Discard, cn.r, head); err != nil {
		return false
	}
	if handled, stop := cn.fault(Content); handled || stop {
		return false
	}
	if _, err := io.CopyN(io.Discard, cn.r, size-head); err != nil {
		return false
	}
	if cn.rcpts == 0 {
		cn.write("554 5.5.1 No valid recipients")
		return true
	}
	if !last {
		cn.write("250 2.0.0 chunk accepted")
		return true
	}
	cn.rcpts = 0 // the transaction ends with its last chunk
	if handled, stop := cn.fault(EndData); stop {
		return false
	} else if !handled {
		cn.s.messages.Add(1)
		cn.write("250 2.0.0 OK queued")
	}
	return true
}
