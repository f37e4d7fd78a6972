"""A chat participant built like Pyro 3's chatbox-ES client: one object that
is both a Publisher and a Subscriber of the channel's event topic.

usage: es_chatter.py NICK CHANNEL
Prints READY once subscribed; publishes every stdin line as (nick, line) on
the topic and prints '[nick] line' for other people's lines; ends at EOF.
"""
import sys
import threading

from Pyro.EventService.Clients import Publisher, Subscriber


class Chatter(Publisher, Subscriber):
    def __init__(self, nick, channel):
        Publisher.__init__(self)
        Subscriber.__init__(self)
        self.nick = nick
        self.topic = "ChatBox.Channel." + channel
        self.lock = threading.Lock()

    def event(self, event):
        nick, line = event.msg
        if nick != self.nick:
            with self.lock:
                print "[%s] %s" % (nick, line)
                sys.stdout.flush()

    def handle_input(self):
        try:
            while True:
                line = sys.stdin.readline()
                if not line:
                    break
                self.publish(self.topic, (self.nick, line.rstrip("\n")))
        finally:
            self.abort()


def main(nick, channel):
    chatter = Chatter(nick, channel)
    chatter.subscribe(chatter.topic)
    print "READY"
    sys.stdout.flush()
    t = threading.Thread(target=chatter.handle_input)
    t.start()
    chatter.listen()
    t.join()
    print "BYE"


if __name__ == "__main__":
    main(*sys.argv[1:3])
