"""Media Services (``mediaservices``): media assets and the workflows that produce them.

An asset names the workflow that produced it (``sourceMediaWorkflowId``, a live workflow of its region when there
is one) and the Object Storage object it is stored in (by bucket name, as the API does).
"""

from __future__ import annotations

import json

from oci_emulator.model.refs import Refs
from oci_emulator.model.tenancy import Record
from oci_emulator.services.resources import GetRow
from oci_emulator.services.resources.loganalytics import namespace_of

SERVICE = "mediaservices"
BASE = "/20211101"


def media_asset(refs: Refs, s: Record) -> Record:
    rng = refs.rng(s, "media-asset")
    workflow = refs.pick(s, "MediaWorkflow", "asset-workflow")
    kind = rng.choice(("VIDEO", "VIDEO", "AUDIO", "IMAGE"))
    extension = {"VIDEO": "mp4", "AUDIO": "mp3", "IMAGE": "png"}[kind]
    return {
        "sourceMediaWorkflowId": workflow,
        "mediaWorkflowJobId": None,
        "sourceMediaWorkflowVersion": 1 if workflow else None,
        "type": kind,
        "parentMediaAssetId": None,
        "masterMediaAssetId": None,
        "bucketName": f"media-{rng.randrange(100):02d}",
        "namespaceName": namespace_of(refs.model),
        "objectName": f"{kind.lower()}/asset-{rng.randrange(100_000):05d}.{extension}",
        "objectEtag": f"{rng.getrandbits(128):032x}",
        "timeUpdated": s.get("timeCreated"),
        "segmentRangeStartIndex": None,
        "segmentRangeEndIndex": None,
        "metadata": [{"metadata": json.dumps({"durationSeconds": rng.randrange(10, 3600)})}],
        "mediaAssetTags": [{"type": "USER", "value": rng.choice(("promo", "archive", "raw"))}],
        "systemTags": {},
        "locks": [],
    }


def media_workflow(refs: Refs, s: Record) -> Record:
    return {
        "tasks": [
            {
                "type": "getFiles",
                "version": 1,
                "key": "get",
                "prerequisites": [],
                "enableParameterReference": None,
                "enableWhenReferencedParameterEquals": None,
                "parameters": {"taskParameters": [{"storageType": "objectStorage", "target": "input.mp4"}]},
            },
            {
                "type": "transcode",
                "version": 1,
                "key": "transcode",
                "prerequisites": ["get"],
                "enableParameterReference": None,
                "enableWhenReferencedParameterEquals": None,
                "parameters": {"transcodeType": "standardTranscode", "standardTranscode": {"videoCodec": "h264"}},
            },
        ],
        "mediaWorkflowConfigurationIds": [],
        "parameters": {},
        "timeUpdated": s.get("timeCreated"),
        "lifecyleDetails": None,
        "version": 1,
        "locks": [],
        "systemTags": {},
    }


ROWS = (
    GetRow("MediaAsset", SERVICE, f"{BASE}/mediaAssets/{{mediaAssetId}}", "GetMediaAsset", media_asset),
    GetRow("MediaWorkflow", SERVICE, f"{BASE}/mediaWorkflows/{{mediaWorkflowId}}", "GetMediaWorkflow", media_workflow),
)
