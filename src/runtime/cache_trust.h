// Who could have written a code-cache file (DESIGN 11: Trust).
//
// Code from a cache file runs as native code with the running user's rights,
// so Weft uses a file only when nobody but the running user (geteuid()) or
// root could have written it, the rule ssh applies to its keys:
//   - the file is a regular file, owned by you or root, and neither its group
//     nor others may write it;
//   - the directory holding it is owned by you or root, and neither its group
//     nor others may write it, unless it is sticky (as /tmp is): in a sticky
//     directory only an entry's owner, the directory's owner or root may
//     rename or remove the entry, so nobody else can swap the file checked
//     below for another.
// The checks are made with fstat on the descriptors that are then used, never
// on a path that is opened afterwards: the directory is opened first, the
// file relative to it with openat(O_NOFOLLOW | O_NONBLOCK). A symlink is
// refused, not followed (its target lies in a directory nobody checked); a
// FIFO or device cannot block the open, and anything but a regular file is
// refused after it.
//
// A checksum in the file detects accidents; this rule is what stands against
// attacks. It does not make a trusted file immutable: you or root may still
// edit it, and the pages of a mapping show later writes. Weft's own writers
// never write an existing file; they create a new one exclusively (O_TMPFILE,
// or a random name with O_CREAT | O_EXCL | O_NOFOLLOW), make it 0444, sync it
// and rename it over the old name. A symlink or file planted at any name the
// writer uses is never followed, truncated or written.
//
// Linux only (O_TMPFILE, /proc/self/fd). Every function is safe to call from
// any thread.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "support/error.h"
#include "support/file_descriptor.h"

namespace weft {

// nullopt when {status} (of a file, or of a directory when {isDirectory})
// passes the rule above; otherwise the reason, as "is writable by others;
// refusing to run code from it".
std::optional<std::string> whyUntrusted(const struct stat& status, bool isDirectory);

// Whether the last component of a directory path may be a symlink. A
// directory is checked through its descriptor, so following is safe for one
// the caller named; an engine's cache directory refuses it, because a symlink
// planted at a shared path (say /tmp/cache) could point Weft's writes at any
// directory of yours.
enum class DirectorySymlink { Refuse, Follow };

// Opens directory {path} for openat() and checks it. nullopt: nothing there.
// An error says why, beginning with "directory PATH: ".
Result<std::optional<FileDescriptor>> openTrustedDirectory(const std::string& path, DirectorySymlink symlink);

// A regular file that passed the rule, with the status it had when opened.
struct TrustedFile {
  FileDescriptor fd;
  struct stat opened {};
};

// Opens {name} (one component, no '/') in {directory} for reading. nullopt:
// nothing there. An error says why, beginning with "{shownPath}: ".
Result<std::optional<TrustedFile>> openTrustedFile(int directory, const std::string& name, const std::string& shownPath);

// False when the file behind {file.fd} changed since it was opened: another
// inode, size, modification or status-change time, mode or owner. A cheap
// second look after loading; ctime cannot be set back, so a write or chmod
// in between is seen.
bool unchangedSinceOpened(const TrustedFile& file);

// "dir/name" -> {"dir", "name"}; "name" -> {".", "name"}; "/name" -> {"/", "name"}.
std::pair<std::string, std::string> splitDirectoryAndName(const std::string& path);

// How replaceFile() makes its temporary: an anonymous O_TMPFILE first (no
// name exists until the file is complete), falling back to a random name where
// the filesystem has no O_TMPFILE. NamedOnly exists so that tests cover the
// fallback on every filesystem.
enum class TemporaryKind { AnonymousFirst, NamedOnly };

// Writes {bytes} to a new file in {directory}, mode 0444, synced, then renames
// it to {name}: readers see the old file or the whole new one, however many
// writers race. Never opens an existing file. No temporary is left on failure.
Status replaceFile(int directory, const std::string& name, std::span<const uint8_t> bytes,
                   const std::string& shownPath, TemporaryKind kind = TemporaryKind::AnonymousFirst);

// Creates {name} in {directory} for writing, failing when anything (a file,
// a symlink, a FIFO) is already there: O_CREAT | O_EXCL | O_NOFOLLOW.
Result<FileDescriptor> createExclusively(int directory, const std::string& name, const std::string& shownPath);

}  // namespace weft
