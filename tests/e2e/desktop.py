#!/usr/bin/python3
# What a person does to the app outside its page, for the window tests (Debian's python3-xlib
# and python3-dbus; run by tests/e2e/tray.e2e.mjs under tests/e2e/run.sh):
#   desktop.py state TITLE       "shown", "hidden" or "none": the top-level window's map state
#   desktop.py close TITLE       the window manager's close button: WM_DELETE_WINDOW
#   desktop.py key TITLE KEYS    real key presses (XTEST) into the focused window, e.g. ctrl+q
#   desktop.py type TITLE TEXT   types TEXT (ASCII) into that window, key by key (XTEST)
#   desktop.py shot PATH         a PNG of the whole screen (native dialogs included)
#   desktop.py tray-menu PID     the labels of the tray menu of process PID (its D-Bus menu)
#   desktop.py tray-click PID LABEL   clicks that tray menu item, as a panel does
import logging
import sys
import time

from Xlib import X, XK, display, protocol
from Xlib.ext import xtest


def windows(d, title):
    """Top-level windows (those with WM_PROTOCOLS) named `title`."""
    found = []

    def walk(win):
        try:
            name = win.get_wm_name()
            protocols = win.get_wm_protocols()
        except Exception:
            return
        if name == title and protocols:
            found.append(win)
        try:
            children = win.query_tree().children
        except Exception:
            return
        for child in children:
            walk(child)

    walk(d.screen().root)
    return found


def state(title):
    d = display.Display()
    wins = windows(d, title)
    if not wins:
        return "none"
    viewable = any(w.get_attributes().map_state == X.IsViewable for w in wins)
    return "shown" if viewable else "hidden"


def close(title):
    d = display.Display()
    wm_protocols = d.intern_atom("WM_PROTOCOLS")
    delete = d.intern_atom("WM_DELETE_WINDOW")
    wins = [w for w in windows(d, title) if w.get_attributes().map_state == X.IsViewable]
    if not wins:
        raise SystemExit(f"no shown window named {title!r}")
    for w in wins:
        event = protocol.event.ClientMessage(
            window=w, client_type=wm_protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        w.send_event(event, event_mask=X.NoEventMask)
    d.sync()


def key(title, keys):
    d = display.Display()
    wins = [w for w in windows(d, title) if w.get_attributes().map_state == X.IsViewable]
    if not wins:
        raise SystemExit(f"no shown window named {title!r}")
    wins[0].set_input_focus(X.RevertToParent, X.CurrentTime)
    d.sync()
    time.sleep(0.3)
    names = {"ctrl": "Control_L", "shift": "Shift_L", "alt": "Alt_L"}
    codes = [d.keysym_to_keycode(XK.string_to_keysym(names.get(k, k))) for k in keys.split("+")]
    for code in codes:
        xtest.fake_input(d, X.KeyPress, code)
        d.sync()
    for code in reversed(codes):
        xtest.fake_input(d, X.KeyRelease, code)
        d.sync()


def type_text(title, text):
    d = display.Display()
    wins = [w for w in windows(d, title) if w.get_attributes().map_state == X.IsViewable]
    if not wins:
        raise SystemExit(f"no shown window named {title!r}")
    wins[0].set_input_focus(X.RevertToParent, X.CurrentTime)
    d.sync()
    time.sleep(0.3)
    shift = d.keysym_to_keycode(XK.string_to_keysym("Shift_L"))
    for char in text:
        # Latin-1 keysyms are their code points.
        sym = ord(char)
        code = d.keysym_to_keycode(sym)
        if not code:
            raise SystemExit(f"no key types {char!r}")
        shifted = d.keycode_to_keysym(code, 0) != sym
        if shifted:
            xtest.fake_input(d, X.KeyPress, shift)
        xtest.fake_input(d, X.KeyPress, code)
        xtest.fake_input(d, X.KeyRelease, code)
        if shifted:
            xtest.fake_input(d, X.KeyRelease, shift)
        d.sync()
        time.sleep(0.02)


def shot(path):
    import struct
    import zlib

    d = display.Display()
    root = d.screen().root
    geo = root.get_geometry()
    w, h = geo.width, geo.height
    raw = root.get_image(0, 0, w, h, X.ZPixmap, 0xFFFFFFFF).data
    # 32 bits a pixel, BGRX: rows of RGB for the PNG, each after its filter byte.
    rows = b"".join(
        b"\x00" + bytes(c for i in range(0, w * 4, 4) for c in (raw[y * w * 4 + i + 2], raw[y * w * 4 + i + 1], raw[y * w * 4 + i]))
        for y in range(h)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


# A connection that does not answer introspection is not a menu: no error noise, no wait.
logging.getLogger("dbus.proxies").setLevel(logging.CRITICAL)
TIMEOUT = 3


def menus(pid):
    """The tray menus (com.canonical.dbusmenu objects) that process `pid` exports."""
    import dbus

    bus = dbus.SessionBus()
    owner = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
    found = []
    for name in owner.ListNames(dbus_interface="org.freedesktop.DBus"):
        if not str(name).startswith(":"):
            continue
        try:
            if int(owner.GetConnectionUnixProcessID(name, dbus_interface="org.freedesktop.DBus")) != pid:
                continue
        except dbus.DBusException:
            continue
        for path in object_paths(bus, name, "/"):
            obj = bus.get_object(name, path)
            try:
                xml = obj.Introspect(dbus_interface="org.freedesktop.DBus.Introspectable", timeout=TIMEOUT)
            except dbus.DBusException:
                continue
            if "com.canonical.dbusmenu" in xml:
                found.append(dbus.Interface(obj, "com.canonical.dbusmenu"))
    return found


def object_paths(bus, name, path):
    import re

    import dbus

    try:
        xml = bus.get_object(name, path).Introspect(dbus_interface="org.freedesktop.DBus.Introspectable", timeout=TIMEOUT)
    except dbus.DBusException:
        return []
    out = [path]
    for child in re.findall(r'<node name="([^"]+)"', xml):
        out += object_paths(bus, name, path.rstrip("/") + "/" + child)
    return out


def items(menu):
    """(id, label) of every item of a dbusmenu."""
    _, layout = menu.GetLayout(0, -1, ["label"])
    out = []

    def walk(node):
        ident, props, children = node
        if "label" in props:
            out.append((int(ident), str(props["label"]).replace("_", "")))
        for child in children:
            walk(child)

    walk(layout)
    return out


def tray_menu(pid):
    return [label for menu in menus(pid) for _, label in items(menu)]


def tray_click(pid, label):
    import dbus

    for menu in menus(pid):
        for ident, text in items(menu):
            if text == label:
                menu.Event(ident, "clicked", dbus.String("", variant_level=1), dbus.UInt32(0))
                return
    raise SystemExit(f"no tray menu item {label!r}")


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "state":
        print(state(sys.argv[2]))
    elif what == "close":
        close(sys.argv[2])
    elif what == "key":
        key(sys.argv[2], sys.argv[3])
    elif what == "type":
        type_text(sys.argv[2], sys.argv[3])
    elif what == "shot":
        shot(sys.argv[2])
    elif what == "tray-menu":
        print("\n".join(tray_menu(int(sys.argv[2]))))
    elif what == "tray-click":
        tray_click(int(sys.argv[2]), sys.argv[3])
    else:
        raise SystemExit(f"unknown: {what}")
