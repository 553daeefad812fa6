package auditlog

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// A Reader reads the records of log files.
type Reader struct {
	dec *zstd.Decoder
	out []byte
}

// maxFrameContent bounds what one frame may decode to: the writer's frames hold at most its buffer
// (16 MiB by default), and a damaged header must not make the reader allocate gigabytes.
const maxFrameContent = 64 << 20

// NewReader returns a Reader.
func NewReader() *Reader {
	dec, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxFrameContent),
		zstd.WithDecoderMaxWindow(maxFrameContent), zstd.WithDecoderLowmem(true))
	return &Reader{dec: dec}
}

// ReadFile calls fn with each record (one JSON line, without its newline) of the complete frames
// of the file at path, starting at byte offset from. It returns the offset just after the last
// complete frame, from which a later call (tail -f) goes on, and whether a frame cut short
// follows it: the file is still being written, or its writer died. A damaged frame is an error
// naming its offset; the records before it have been passed to fn.
func (r *Reader) ReadFile(path string, from int64, fn func(line []byte) error) (next int64, cut bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return from, false, err
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return from, false, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return from, false, err
	}
	n, cut, ferr := completeFrames(data)
	for off := 0; off < n; {
		k, _ := frameLen(data[off:])
		r.out, err = r.dec.DecodeAll(data[off:off+k], r.out[:0])
		if err != nil {
			return from + int64(off), false, fmt.Errorf("%s: damaged frame at offset %d: %v", path, from+int64(off), err)
		}
		for rest := r.out; len(rest) > 0; {
			line := rest
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				line, rest = rest[:i], rest[i+1:]
			} else {
				rest = nil
			}
			if len(line) > 0 {
				if err := fn(line); err != nil {
					return from + int64(off+k), false, err
				}
			}
		}
		off += k
	}
	if ferr != nil {
		return from + int64(n), false, fmt.Errorf("%s: not a zstd frame at offset %d", path, from+int64(n))
	}
	return from + int64(n), cut, nil
}
