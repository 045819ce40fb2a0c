//! Marks on an event's messages (synchronisation edges, other ends outside the input) and the
//! clocks stamped input gives. Data only.

/// Marks on an event's messages: what kind of edge they are and whether their other end lies
/// outside the input. One byte, kept in [`Event`]'s padding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EventFlags(u8);

impl EventFlags {
    /// No marks.
    pub const NONE: EventFlags = EventFlags(0);
    /// The event's messages are synchronisation edges (a lock's release to its next acquire,
    /// a fork, a join), not network messages: a release nobody acquires again is normal, so
    /// no message finding ever concerns them. Input field `"sync": true`.
    pub const SYNC: EventFlags = EventFlags(1);
    /// The send of a message the event receives lies outside the input (a cut or slice left
    /// it out): not a finding. Input field `"outside": "send"` (or `"both"`).
    pub const OUTSIDE_SEND: EventFlags = EventFlags(2);
    /// A receive of a message the event sends lies outside the input: not a finding. Input
    /// field `"outside": "recv"` (or `"both"`).
    pub const OUTSIDE_RECV: EventFlags = EventFlags(4);

    /// Whether every mark of `other` is set here.
    pub fn contains(self, other: EventFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// These marks and `other`'s.
    pub fn with(self, other: EventFlags) -> EventFlags {
        EventFlags(self.0 | other.0)
    }

    /// These marks without `other`'s.
    pub fn without(self, other: EventFlags) -> EventFlags {
        EventFlags(self.0 & !other.0)
    }

    /// The value of the `outside` field for these marks, if any: `send`, `recv` or `both`.
    pub fn outside(self) -> Option<&'static str> {
        match (
            self.contains(EventFlags::OUTSIDE_SEND),
            self.contains(EventFlags::OUTSIDE_RECV),
        ) {
            (true, true) => Some("both"),
            (true, false) => Some("send"),
            (false, true) => Some("recv"),
            (false, false) => None,
        }
    }

    /// The marks an `outside` field value stands for.
    pub fn from_outside(value: &str) -> Option<EventFlags> {
        match value {
            "send" => Some(EventFlags::OUTSIDE_SEND),
            "recv" => Some(EventFlags::OUTSIDE_RECV),
            "both" => Some(EventFlags::OUTSIDE_SEND.with(EventFlags::OUTSIDE_RECV)),
            _ => None,
        }
    }
}

/// Where an event stands in a span of a distributed trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanPhase {
    /// The span's start.
    Start,
    /// An event inside the span (an OTLP event, a Jaeger log, a Zipkin annotation).
    Event,
    /// The span's end.
    End,
}

impl SpanPhase {
    /// The name the `phase` field holds.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanPhase::Start => "start",
            SpanPhase::Event => "event",
            SpanPhase::End => "end",
        }
    }

    /// The phase a `phase` field names.
    pub fn from_name(name: &str) -> Option<SpanPhase> {
        match name {
            "start" => Some(SpanPhase::Start),
            "event" => Some(SpanPhase::Event),
            "end" => Some(SpanPhase::End),
            _ => None,
        }
    }
}

/// The span a raw event belongs to, as a parser read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSpan {
    /// The span's trace id.
    pub trace_id: String,
    /// The span's id.
    pub span_id: String,
    /// Its kind (`client`, `server`, ...), when known.
    pub kind: Option<String>,
    /// Where the event stands in it.
    pub phase: SpanPhase,
    /// The parent span's id in the same trace, when known (on the start event at least).
    pub parent_id: Option<String>,
}

/// Clocks an input gave for one event (stamped input): authoritative, used as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GivenStamp {
    /// The Lamport clock.
    pub lamport: u64,
    /// The vector clock: node name and count, zero components left out.
    pub vc: Vec<(String, u32)>,
    /// `vc` holds only the members changed since the node's previous event (`vc_delta`).
    pub delta: bool,
}
