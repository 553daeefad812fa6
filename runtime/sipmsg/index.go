package sipmsg

// The header index: for each name ID, the first and the last header line with that name. Rules
// select header lines by name again and again (on an INVITE through the reference chain, some 30
// times over every header line), so the runtime asks the index instead, and learns in one step
// that a message has no such header. Parse builds it as it reads the header lines; an edit that
// moves header lines marks it stale, and the next question rebuilds it.

// nameLines are the first and last header lines with one name; 0 (the start line) means none.
type nameLines struct{ first, last uint32 }

// resetIndex empties the index, sized for every ID of the name table.
func (m *Message) resetIndex() {
	n := m.names.Len()
	if cap(m.index) < n {
		m.index = make([]nameLines, n)
	}
	m.index = m.index[:n]
	clear(m.index)
	m.indexStale = false
}

// indexHeader adds header line i, named id, which follows every line already indexed.
func (m *Message) indexHeader(i int, id uint16) {
	s := &m.index[id]
	if s.first == 0 {
		s.first = uint32(i)
	}
	s.last = uint32(i)
}

func (m *Message) rebuildIndex() {
	m.resetIndex()
	for i := 1; i < m.bodyFirst; i++ {
		m.indexHeader(i, m.lines[i].Name)
	}
}

// HeaderLines returns the indexes of the first and the last header line named id, or 0, 0 when
// the message has none. Lines between them may have other names.
func (m *Message) HeaderLines(id uint16) (first, last int) {
	if m.indexStale {
		m.rebuildIndex()
	}
	s := m.index[id]
	return int(s.first), int(s.last)
}

// Find returns the index of the first header line with the given name ID, or -1.
func (m *Message) Find(id uint16) int {
	if first, _ := m.HeaderLines(id); first > 0 {
		return first
	}
	return -1
}
