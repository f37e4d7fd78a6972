package ns

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gopyro/gopyro/pickle"
)

// metaSuffix marks the meta data files of Pyro 3's persistent database.
const metaSuffix = ".ns_meta"

// ReadPyro3DB reads the database directory of Pyro 3's persistent Name
// Server (pyro-ns -d): a directory per group, a file per name holding its
// URI, component names escaped with \2f for '/' and \3a for ':', and meta
// data in <entry>.ns_meta files holding a pickled (NameSpaceSystemMeta,
// usermeta) tuple. Records come parents first; names and groups without a
// meta file get the file's modification time as their timestamp.
func ReadPyro3DB(dir string) ([]Record, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("ns: %s is not a Pyro 3 database directory", dir)
	}
	root := Record{Name: ":", Group: true, Created: mtime(st)}
	if err := readMetaFile(filepath.Join(dir, metaSuffix), &root); err != nil {
		return nil, err
	}
	recs := []Record{root}
	if err := readPyro3Dir(dir, ":", &recs); err != nil {
		return nil, err
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	return recs, nil
}

func readPyro3Dir(dir, group string, recs *[]Record) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), metaSuffix) {
			continue
		}
		full := group + "." + unescapeComponent(e.Name())
		if group == ":" {
			full = ":" + unescapeComponent(e.Name())
		}
		path := filepath.Join(dir, e.Name())
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		r := Record{Name: full, Group: info.IsDir(), Created: mtime(info)}
		if !r.Group {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			r.URI = strings.TrimSpace(string(data))
		}
		if err := readMetaFile(path+metaSuffix, &r); err != nil {
			return err
		}
		*recs = append(*recs, r)
		if r.Group {
			if err := readPyro3Dir(path, full, recs); err != nil {
				return err
			}
		}
	}
	return nil
}

func mtime(info os.FileInfo) float64 {
	return float64(info.ModTime().UnixNano()) / 1e9
}

// readMetaFile reads an .ns_meta file if there is one; an unreadable one is
// ignored, as Pyro does.
func readMetaFile(path string, r *Record) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	v, err := pickle.Decode(data)
	if err != nil {
		return nil
	}
	t, ok := v.(pickle.Tuple)
	if !ok || len(t) != 2 {
		return nil
	}
	return metaInto(r, t[0], t[1])
}

// unescapeComponent undoes Pyro's file name escaping: a backslash followed
// by two hex digits is that character; any other backslash stays.
func unescapeComponent(s string) string {
	parts := strings.Split(s, `\`)
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if len(p) >= 2 {
			if c, err := strconv.ParseUint(p[:2], 16, 8); err == nil {
				b.WriteByte(byte(c))
				b.WriteString(p[2:])
				continue
			}
		}
		b.WriteByte('\\')
		b.WriteString(p)
	}
	return b.String()
}

// OpenPersistentStore opens the persistent store for pyro-ns -d at path.
// If path is a directory it is a Pyro 3 database: the store is the file
// path+".db", filled from the directory the first time (imported is then the
// number of records read); the directory itself is left untouched.
// Otherwise path is the store file, created if missing.
func OpenPersistentStore(path string) (store *BoltStore, dbfile string, imported int, err error) {
	dbfile = path
	var recs []Record
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		dbfile = path + ".db"
		if _, err := os.Stat(dbfile); os.IsNotExist(err) {
			if recs, err = ReadPyro3DB(path); err != nil {
				return nil, "", 0, fmt.Errorf("ns: importing Pyro 3 database %s: %w", path, err)
			}
		}
	}
	if recs != nil {
		// Import into a temporary file renamed into place when complete, so
		// that an interrupted import is simply done again.
		tmp := dbfile + ".import"
		os.Remove(tmp)
		st, err := OpenBoltStore(tmp)
		if err != nil {
			return nil, "", 0, err
		}
		ops := make([]Op, len(recs))
		for i, r := range recs {
			ops[i] = Op{Kind: OpPut, Record: r}
		}
		err = <-st.Apply(ops)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, dbfile)
		}
		if err != nil {
			os.Remove(tmp)
			return nil, "", 0, fmt.Errorf("ns: storing imported Pyro 3 database: %w", err)
		}
	}
	store, err = OpenBoltStore(dbfile)
	if err != nil {
		return nil, "", 0, err
	}
	return store, dbfile, len(recs), nil
}
