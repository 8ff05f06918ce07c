"""Consumer trace event "sr": the sender's own RTCP sender reports, on the consumer's timeline.

Why: a recording places each track by the sender's capture clock only if it can see the
sender's sender reports (SR: NTP time <-> RTP timestamp, from the clock that stamped the
captured frames; libwebrtc's receivers lip-sync by them). mediasoup 3.12 consumes them
inside the worker (simulcast layer switching) and never tells Node; the SRs a consumer
sends are its own, written from forwarding times (RtpStreamSend::GetRtcpSenderReport),
so they carry the sender's delay, not its clock (docs/recording.md, "A/V sync").

With this patch `consumer.enableTraceEvent(['sr'])` emits, for each SR of the producer's
stream the consumer forwards now:

    { type: 'sr', timestamp: <worker ms>, direction: 'in',
      info: { ntpMs: <sender NTP ms>, rtpTimestamp: <RTP ts as the consumer sends it> } }

A simulcast consumer translates the timestamp by its own offset (`tsOffset`), so it is
comparable with the RTP timestamps of the packets it forwards; SRs of layers it is not
forwarding are not emitted. Nothing else changes: no trace is sent unless asked for.

Every edit checks that it matched exactly once (patch-worker.py's rule).
"""


def _replace_once(path, old, new):
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(f"patch_sender_report_trace: {path}: expected one match of {old!r}")
    path.write_text(text.replace(old, new))


def patch(worker_dir):
    rtc_include = worker_dir / "include" / "RTC"
    rtc_src = worker_dir / "src" / "RTC"

    _replace_once(
        rtc_include / "Consumer.hpp",
        "\t\t\tbool fir{ false };\n\t\t};",
        "\t\t\tbool fir{ false };\n\t\t\tbool sr{ false };\n\t\t};",
    )
    _replace_once(
        rtc_include / "Consumer.hpp",
        "\t\tvoid EmitTraceEventNackType() const;\n",
        "\t\tvoid EmitTraceEventNackType() const;\n"
        "\t\tvoid EmitTraceEventSenderReportType(uint64_t ntpMs, uint32_t rtpTimestamp) const;\n",
    )

    consumer = rtc_src / "Consumer.cpp"
    _replace_once(
        consumer,
        "\t\t\t\t\telse if (typeStr == \"fir\")\n\t\t\t\t\t\tnewTraceEventTypes.fir = true;\n",
        "\t\t\t\t\telse if (typeStr == \"fir\")\n\t\t\t\t\t\tnewTraceEventTypes.fir = true;\n"
        "\t\t\t\t\telse if (typeStr == \"sr\")\n\t\t\t\t\t\tnewTraceEventTypes.sr = true;\n",
    )
    _replace_once(
        consumer,
        "\t\tif (this->traceEventTypes.fir)\n\t\t\ttraceEventTypes.emplace_back(\"fir\");\n",
        "\t\tif (this->traceEventTypes.fir)\n\t\t\ttraceEventTypes.emplace_back(\"fir\");\n"
        "\t\tif (this->traceEventTypes.sr)\n\t\t\ttraceEventTypes.emplace_back(\"sr\");\n",
    )
    _replace_once(
        consumer,
        "\t\tthis->shared->channelNotifier->Emit(this->id, \"trace\", data);\n\t}\n} // namespace RTC\n",
        "\t\tthis->shared->channelNotifier->Emit(this->id, \"trace\", data);\n\t}\n\n"
        "\t// confer: the producer's sender report, as this consumer's timeline sees it.\n"
        "\tvoid Consumer::EmitTraceEventSenderReportType(uint64_t ntpMs, uint32_t rtpTimestamp) const\n"
        "\t{\n"
        "\t\tMS_TRACE();\n\n"
        "\t\tif (!this->traceEventTypes.sr || ntpMs == 0u)\n"
        "\t\t\treturn;\n\n"
        "\t\tjson data = json::object();\n\n"
        "\t\tdata[\"type\"]                 = \"sr\";\n"
        "\t\tdata[\"timestamp\"]            = DepLibUV::GetTimeMs();\n"
        "\t\tdata[\"direction\"]            = \"in\";\n"
        "\t\tdata[\"info\"][\"ntpMs\"]        = ntpMs;\n"
        "\t\tdata[\"info\"][\"rtpTimestamp\"] = rtpTimestamp;\n\n"
        "\t\tthis->shared->channelNotifier->Emit(this->id, \"trace\", data);\n"
        "\t}\n"
        "} // namespace RTC\n",
    )

    _replace_once(
        rtc_src / "SimpleConsumer.cpp",
        "\tvoid SimpleConsumer::ProducerRtcpSenderReport(RTC::RtpStreamRecv* /*rtpStream*/, bool /*first*/)\n"
        "\t{\n\t\tMS_TRACE();\n\n\t\t// Do nothing.\n\t}\n",
        "\tvoid SimpleConsumer::ProducerRtcpSenderReport(RTC::RtpStreamRecv* rtpStream, bool /*first*/)\n"
        "\t{\n\t\tMS_TRACE();\n\n"
        "\t\t// confer: a simple consumer forwards the producer's timestamps unchanged.\n"
        "\t\tEmitTraceEventSenderReportType(\n"
        "\t\t  rtpStream->GetSenderReportNtpMs(), rtpStream->GetSenderReportTs());\n\t}\n",
    )
    _replace_once(
        rtc_src / "SimulcastConsumer.cpp",
        "\t\t// Just interested if this is the first Sender Report for a RTP stream.\n",
        "\t\t// confer: the SR of the layer forwarded now, on the forwarded timeline.\n"
        "\t\tif (rtpStream == GetProducerCurrentRtpStream() && !this->syncRequired)\n"
        "\t\t\tEmitTraceEventSenderReportType(\n"
        "\t\t\t  rtpStream->GetSenderReportNtpMs(), rtpStream->GetSenderReportTs() - this->tsOffset);\n\n"
        "\t\t// Just interested if this is the first Sender Report for a RTP stream.\n",
    )
    return [rtc_include / "Consumer.hpp", consumer, rtc_src / "SimpleConsumer.cpp",
            rtc_src / "SimulcastConsumer.cpp"]
