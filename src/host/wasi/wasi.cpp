// The WASI context and its link step: builds the descriptor table (stdio, the
// preopened directories, the granted listening sockets), then turns a module's
// imports into host functions over that context, reporting every import it
// cannot satisfy in one error.
#include "host/wasi/wasi.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/wasi/wasi_internal.h"
#include "runtime/func.h"

namespace weft {

using namespace wasi;

WasiContext::Descriptor::~Descriptor() {
  if (ownsFd && hostFd >= 0) close(hostFd);
}

uint32_t WasiCalls::install(WasiContext& c, std::unique_ptr<Descriptor> d) {
  std::lock_guard lock(c.fdsLock_);
  for (uint32_t i = 3; i < c.fds_.size(); ++i)
    if (!c.fds_[i]) {
      c.fds_[i] = std::move(d);
      return i;
    }
  c.fds_.push_back(std::move(d));
  return static_cast<uint32_t>(c.fds_.size() - 1);
}

uint32_t WasiCalls::closeDescriptor(WasiContext& c, uint32_t index) {
  DescriptorRef closed;  // released after the lock: closing the host fd may take a while
  std::lock_guard lock(c.fdsLock_);
  if (index >= c.fds_.size() || !c.fds_[index]) return kBadf;
  if (!c.fds_[index]->preopenName.empty()) return kNotsup;  // keep the capability roots
  closed = std::move(c.fds_[index]);
  return kSuccess;
}

uint32_t WasiCalls::renumberDescriptor(WasiContext& c, uint32_t from, uint32_t to) {
  DescriptorRef replaced;
  std::lock_guard lock(c.fdsLock_);
  if (from >= c.fds_.size() || to >= c.fds_.size() || !c.fds_[from] || !c.fds_[to]) return kBadf;
  if (!c.fds_[to]->preopenName.empty() || !c.fds_[from]->preopenName.empty()) return kNotsup;
  if (from != to) {
    replaced = std::move(c.fds_[to]);
    c.fds_[to] = std::move(c.fds_[from]);
  }
  return kSuccess;
}

CallTable WasiCalls::table() {
  CallTable t;
  addEnvironmentCalls(t);
  addDescriptorCalls(t);
  addPathCalls(t);
  addSocketCalls(t);
  addPollCalls(t);
  return t;
}

namespace {

Error invalid(std::string message) { return makeError(ErrorKind::Invalid, std::move(message)); }

// Rights of an inherited stdio descriptor, from what it is on the host.
// Streams get seek and tell only when the host can seek them: wasi-libc's
// isatty() reads "character device without seek rights" as a terminal, so a
// terminal stays line-buffered while /dev/null (seekable) does not.
uint64_t stdioRights(int hostFd, uint8_t fileType) {
  switch (fileType) {
    case kRegularFile: return right::kRegularFile;
    case kDirectory: return right::kDirectory;
    case kSocketStream: return right::kConnection;
    default:
      return right::kStream | (lseek(hostFd, 0, SEEK_CUR) >= 0 ? right::kFdSeek | right::kFdTell : 0);
  }
}

std::string describe(const FuncType& type) {
  auto list = [](const std::vector<ValType>& types) {
    std::string text = "(";
    for (size_t i = 0; i < types.size(); ++i) text += (i ? " " : "") + std::string(valTypeName(types[i]));
    return text + ")";
  };
  return list(type.params) + " -> " + list(type.results);
}

const char* kindName(ExternKind kind) {
  switch (kind) {
    case ExternKind::Func: return "function";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "import";
}

}  // namespace

Result<std::shared_ptr<WasiContext>> WasiContext::create(WasiConfig config) {
  std::shared_ptr<WasiContext> context(new WasiContext());
  context->config_ = std::move(config);
  for (int stdio = 0; stdio < 3; ++stdio) {
    auto d = std::make_unique<Descriptor>();
    d->hostFd = stdio;
    d->ownsFd = false;
    struct stat st {};
    d->fileType = fstat(stdio, &st) == 0 ? fileTypeOf(st.st_mode) : uint8_t{kCharacterDevice};
    d->rightsBase = stdioRights(stdio, d->fileType);
    d->rightsInheriting = d->fileType == kDirectory ? right::kAll : 0;
    context->fds_.push_back(std::move(d));
  }
  for (const WasiConfig::Preopen& preopen : context->config_.preopens) {
    int fd = open(preopen.hostPath.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return invalid("cannot preopen directory " + preopen.hostPath + ": " + std::strerror(errno));
    auto d = std::make_unique<Descriptor>();
    d->hostFd = fd;
    d->fileType = kDirectory;
    d->preopenName = preopen.guestPath;
    d->rightsBase = right::kDirectory;
    d->rightsInheriting = right::kDirectory | right::kRegularFile;
    context->fds_.push_back(std::move(d));
  }
  for (const std::string& address : context->config_.tcpListen) {
    Result<int> listener = openTcpListener(address);
    if (!listener) return listener.error();
    auto d = std::make_unique<Descriptor>();
    d->hostFd = listener.value();
    d->fileType = kSocketStream;
    d->rightsBase = right::kListener;
    context->fds_.push_back(std::move(d));
  }
  return context;
}

WasiContext::~WasiContext() = default;

Result<std::vector<Extern>> WasiContext::imports(Engine& engine, const ModuleInfo& module, const OtherImports& other) {
  static const CallTable calls = WasiCalls::table();
  static const FuncType procExitType{{I}, {}};
  std::vector<Extern> out;
  std::vector<std::string> unknown, mismatched;
  for (const Import& import : module.imports) {
    std::string quoted = "\"" + import.module + "\" \"" + import.name + "\"";
    if (other && import.module != "wasi_snapshot_preview1")
      if (std::optional<Extern> provided = other(import)) {
        out.push_back(std::move(*provided));
        continue;
      }
    if (import.module != "wasi_snapshot_preview1" || import.kind != ExternKind::Func) {
      unknown.push_back(import.kind == ExternKind::Func ? quoted : quoted + " (" + kindName(import.kind) + ")");
      continue;
    }
    const FuncType& wanted = module.functionType(import.index);
    if (import.name == "proc_exit") {
      if (wanted != procExitType) {
        mismatched.push_back(quoted + " is " + describe(procExitType));
        continue;
      }
      out.push_back(Extern::of(makeHostFunction(engine, procExitType, [this](Caller&, std::span<const Value> a,
                                                                             std::span<Value>) {
        WasiCalls::exit(*this, a[0].asI32());
        return HostOutcome::exitWith(kWasiExitMessage);
      })));
      continue;
    }
    auto found = calls.find(import.name);
    if (found == calls.end()) {
      unknown.push_back(quoted);
      continue;
    }
    const FuncType& type = found->second.first;
    if (wanted != type) {
      mismatched.push_back(quoted + " is " + describe(type));
      continue;
    }
    const Callback& callback = found->second.second;
    out.push_back(Extern::of(makeHostFunction(engine, type, [this, callback](Caller& caller, std::span<const Value> a,
                                                                            std::span<Value> results) {
      Guest guest(caller.memory());
      results[0] = Value::i32(callback(*this, guest, a));
      return HostOutcome::ok();
    })));
  }
  if (unknown.empty() && mismatched.empty()) return out;
  // One message for all of them: a program missing several functions is fixed
  // in one round, not one rebuild per name.
  auto join = [](const std::vector<std::string>& items) {
    std::string text;
    for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
    return text;
  };
  std::string message;
  if (!unknown.empty())
    message = std::string(unknown.size() == 1 ? "unknown import: " : "unknown imports: ") + join(unknown) +
              (other ? " (weft run provides wasi_snapshot_preview1 functions, wasi-threads' \"wasi\" "
                       "\"thread-spawn\" and a memory)"
                     : " (weft run provides wasi_snapshot_preview1 functions only)");
  if (!mismatched.empty())
    message += (message.empty() ? "" : "; ") + std::string("imported with the wrong signature: ") + join(mismatched);
  return invalid(message);
}

}  // namespace weft
