"""moto's own server, with the one model call the suite makes concurrently made atomic.

xtask writes this file next to the server's log and runs it with the venv's Python instead of
`moto_server`. The arguments are moto's (`-H 127.0.0.1 -p <port>`).

moto answers each request on a thread of its own. Its Kinesis `Shard.put_record` reads the
shard's last sequence number and stores the record under the next one in two steps, and its own
comment says it "is not safe for concurrency". When two replicas' relays send `PutRecords` at
the same moment, both records can get the same number, and the second replaces the first. The
service was told both were stored, yet one is gone. Eight threads each sending 400
one-record `PutRecords` to moto 5.2.5 lost 23 to 36 of the 3,200 records. One lock around that
call gives each record its own number. The rest of moto runs as released.
"""

import sys
import threading

from moto.kinesis import models as kinesis
from moto.server import main

_PUT_RECORD_LOCK = threading.Lock()
_unlocked_put_record = kinesis.Shard.put_record


def _locked_put_record(self, *args, **kwargs):
    with _PUT_RECORD_LOCK:
        return _unlocked_put_record(self, *args, **kwargs)


kinesis.Shard.put_record = _locked_put_record

if __name__ == "__main__":
    main(sys.argv[1:])
