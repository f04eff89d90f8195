#!/usr/bin/env bash
# conntrackd.conf for one router of the lab: DIR LOCAL_SYNC_ADDR PEER_SYNC_ADDR.
# The same settings as the role's templates/conntrackd.conf.j2 (docs/ha.md explains each).
set -euo pipefail
d=$1 me=$2 peer=$3
cat <<CONF
Sync {
  Mode FTFW {
    DisableExternalCache Off
    CommitTimeout 1800
    PurgeTimeout 5
  }
  UDP {
    IPv4_address $me
    IPv4_Destination_Address $peer
    Port 3780
    Interface s9
    SndSocketBuffer 1249280
    RcvSocketBuffer 1249280
    Checksum on
  }
  Options {
    ExpectationSync {
      ftp
    }
  }
}
General {
  HashSize 32768
  HashLimit 131072
  LogFile $d/conntrackd.log
  Syslog off
  LockFile $d/conntrackd.lock
  UNIX {
    Path $d/conntrackd.ctl
  }
  NetlinkBufferSize 2097152
  NetlinkBufferSizeMaxGrowth 8388608
  Filter From Userspace {
    Protocol Accept {
      TCP
      UDP
      ICMP
    }
    Address Ignore {
      IPv4_address 127.0.0.1
      IPv4_address 10.10.10.1
      IPv4_address 192.168.10.114
      IPv4_address 10.10.10.11
      IPv4_address 10.10.10.12
      IPv4_address 192.168.10.111
      IPv4_address 192.168.10.112
      IPv4_address 172.16.0.0/30
    }
  }
}
CONF
