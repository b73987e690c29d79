// Host errno → WASI errno. The numbering differs (WASI's is alphabetical), so
// every host error a call can plausibly return is named here; anything else is
// reported as EIO rather than as a wrong, meaningful code.
#include <cerrno>

#include "host/wasi/wasi_internal.h"

namespace weft::wasi {

uint32_t fromErrno(int error) {
  switch (error) {
    case 0: return kSuccess;
    case E2BIG: return k2Big;
    case EACCES: return kAcces;
    case EADDRINUSE: return kAddrinuse;
    case EADDRNOTAVAIL: return kAddrnotavail;
    case EAFNOSUPPORT: return kAfnosupport;
    case EAGAIN: return kAgain;  // also EWOULDBLOCK
    case EALREADY: return kAlready;
    case EBADF: return kBadf;
    case EBADMSG: return kBadmsg;
    case EBUSY: return kBusy;
    case ECANCELED: return kCanceled;
    case ECHILD: return kChild;
    case ECONNABORTED: return kConnaborted;
    case ECONNREFUSED: return kConnrefused;
    case ECONNRESET: return kConnreset;
    case EDEADLK: return kDeadlk;
    case EDESTADDRREQ: return kDestaddrreq;
    case EDOM: return kDom;
    case EDQUOT: return kDquot;
    case EEXIST: return kExist;
    case EFAULT: return kFault;
    case EFBIG: return kFbig;
    case EHOSTUNREACH: return kHostunreach;
    case EIDRM: return kIdrm;
    case EILSEQ: return kIlseq;
    case EINPROGRESS: return kInprogress;
    case EINTR: return kIntr;
    case EINVAL: return kInval;
    case EIO: return kIo;
    case EISCONN: return kIsconn;
    case EISDIR: return kIsdir;
    case ELOOP: return kLoop;
    case EMFILE: return kMfile;
    case EMLINK: return kMlink;
    case EMSGSIZE: return kMsgsize;
    case EMULTIHOP: return kMultihop;
    case ENAMETOOLONG: return kNametoolong;
    case ENETDOWN: return kNetdown;
    case ENETRESET: return kNetreset;
    case ENETUNREACH: return kNetunreach;
    case ENFILE: return kNfile;
    case ENOBUFS: return kNobufs;
    case ENODEV: return kNodev;
    case ENOENT: return kNoent;
    case ENOEXEC: return kNoexec;
    case ENOLCK: return kNolck;
    case ENOLINK: return kNolink;
    case ENOMEM: return kNomem;
    case ENOMSG: return kNomsg;
    case ENOPROTOOPT: return kNoprotoopt;
    case ENOSPC: return kNospc;
    case ENOSYS: return kNosys;
    case ENOTCONN: return kNotconn;
    case ENOTDIR: return kNotdir;
    case ENOTEMPTY: return kNotempty;
    case ENOTRECOVERABLE: return kNotrecoverable;
    case ENOTSOCK: return kNotsock;
    case EOPNOTSUPP: return kNotsup;  // also ENOTSUP
    case ENOTTY: return kNotty;
    case ENXIO: return kNxio;
    case EOVERFLOW: return kOverflow;
    case EOWNERDEAD: return kOwnerdead;
    case EPERM: return kPerm;
    case EPIPE: return kPipe;
    case EPROTO: return kProto;
    case EPROTONOSUPPORT: return kProtonosupport;
    case EPROTOTYPE: return kPrototype;
    case ERANGE: return kRange;
    case EROFS: return kRofs;
    case ESPIPE: return kSpipe;
    case ESRCH: return kSrch;
    case ESTALE: return kStale;
    case ETIMEDOUT: return kTimedout;
    case ETXTBSY: return kTxtbsy;
    // openat2 RESOLVE_BENEATH: the path would leave the preopen. Calls that can
    // see a genuine cross-device EXDEV (rename, link) translate it themselves.
    case EXDEV: return kNotcapable;
    default: return kIo;
  }
}

}  // namespace weft::wasi
