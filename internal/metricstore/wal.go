package metricstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// The write-ahead log makes ingest durable: a batch is acknowledged only after its
// records are written and fsynced. Appenders add records to a shared buffer and wait;
// one writer goroutine writes and syncs everything buffered at once (group commit), so
// the cost of an fsync is shared by every request that arrived meanwhile.
//
// On disk the log is a sequence of segment files named wal-<n>; each holds frames of
// [length uint32][crc32c uint32][payload]. A torn frame at the end of the last segment
// (a crash mid-write) is ignored on replay: it was never acknowledged.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const (
	segmentPrefix = "wal-"
	frameHeader   = 8
	// maxFrame bounds one frame (a group of batches) so replay can reject garbage lengths.
	maxFrame = 256 << 20
)

// wal is the write-ahead log of one store.
type wal struct {
	dir string

	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte // records waiting for the next group commit
	seq      uint64 // sequence number of the last record group appended to buf
	synced   uint64 // sequence number known durable
	err      error  // sticky write error: the log is unusable
	file     *os.File
	segment  uint64
	closing  bool
	flushing bool
	done     chan struct{}
}

// openWAL opens the log directory; the caller replays the existing segments first and
// then calls start with the segment to append to.
func openWAL(dir string) (*wal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	w := &wal{dir: dir, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	return w, nil
}

// segments lists the existing segment numbers in order.
func (w *wal) segments() ([]uint64, error) {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return nil, fmt.Errorf("wal: %w", err)
	}
	var out []uint64
	for _, e := range entries {
		if n, ok := strings.CutPrefix(e.Name(), segmentPrefix); ok {
			if v, err := strconv.ParseUint(n, 10, 64); err == nil {
				out = append(out, v)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func (w *wal) path(segment uint64) string {
	return filepath.Join(w.dir, fmt.Sprintf("%s%020d", segmentPrefix, segment))
}

// replay calls fn with the payload of every intact frame of segments ≥ from, in order.
func (w *wal) replay(from uint64, fn func(payload []byte) error) error {
	segs, err := w.segments()
	if err != nil {
		return err
	}
	for _, s := range segs {
		if s < from {
			continue
		}
		data, err := os.ReadFile(w.path(s))
		if err != nil {
			return fmt.Errorf("wal: %w", err)
		}
		for len(data) >= frameHeader {
			n := binary.LittleEndian.Uint32(data)
			sum := binary.LittleEndian.Uint32(data[4:])
			if n > maxFrame || int(n) > len(data)-frameHeader {
				break // torn write at the end
			}
			payload := data[frameHeader : frameHeader+int(n)]
			if crc32.Checksum(payload, castagnoli) != sum {
				break
			}
			if err := fn(payload); err != nil {
				return err
			}
			data = data[frameHeader+int(n):]
		}
	}
	return nil
}

// start opens segment for appending and starts the writer goroutine.
func (w *wal) start(segment uint64) error {
	f, err := os.OpenFile(w.path(segment), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	w.file, w.segment = f, segment
	go w.writer()
	return nil
}

// append adds one group of records (a batch) to the next commit and returns its ticket.
// The caller holds whatever lock orders records with the state they change.
func (w *wal) append(records []byte) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, records...)
	w.seq++
	w.cond.Broadcast()
	return w.seq
}

// wait blocks until the ticket is durable, or returns the log's error.
func (w *wal) wait(ticket uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.synced < ticket && w.err == nil {
		w.cond.Wait()
	}
	return w.err
}

// writer is the group-commit loop: write everything buffered as one frame, fsync, wake
// the waiters.
func (w *wal) writer() {
	defer close(w.done)
	var spare []byte
	w.mu.Lock()
	for {
		for len(w.buf) == 0 && !w.closing {
			w.cond.Wait()
		}
		if len(w.buf) == 0 && w.closing {
			w.mu.Unlock()
			return
		}
		payload, seq, f := w.buf, w.seq, w.file
		w.buf = spare[:0]
		w.flushing = true
		w.mu.Unlock()

		err := writeFrame(f, payload)
		if err == nil {
			err = f.Sync()
		}

		w.mu.Lock()
		w.flushing = false
		spare = payload
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("wal: %w", err)
		}
		if err == nil {
			w.synced = seq
		}
		w.cond.Broadcast()
	}
}

func writeFrame(f io.Writer, payload []byte) error {
	hdr := make([]byte, frameHeader, frameHeader+len(payload))
	binary.LittleEndian.PutUint32(hdr, uint32(len(payload)))
	binary.LittleEndian.PutUint32(hdr[4:], crc32.Checksum(payload, castagnoli))
	_, err := f.Write(append(hdr, payload...))
	return err
}

// rotate makes every record appended so far durable in the current segment, then
// switches appends to a new segment. It returns the finished segment's number. The caller
// holds the lock that orders appends with state, so nothing is appended meanwhile.
func (w *wal) rotate() (uint64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for (len(w.buf) > 0 || w.flushing) && w.err == nil {
		w.cond.Wait()
	}
	if w.err != nil {
		return 0, w.err
	}
	next := w.segment + 1
	f, err := os.OpenFile(w.path(next), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("wal: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		f.Close()
		return 0, err
	}
	old := w.file
	w.file, w.segment = f, next
	return next - 1, old.Close()
}

// removeThrough deletes segments ≤ last (their content is checkpointed).
func (w *wal) removeThrough(last uint64) error {
	segs, err := w.segments()
	if err != nil {
		return err
	}
	for _, s := range segs {
		if s <= last {
			if err := os.Remove(w.path(s)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("wal: %w", err)
			}
		}
	}
	return nil
}

// close flushes what is buffered and stops the writer.
func (w *wal) close() error {
	w.mu.Lock()
	w.closing = true
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.err
	if w.file != nil {
		if cerr := w.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("wal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("wal: sync dir: %w", err)
	}
	return nil
}
